import Foundation
import PostgresNIO
import Synchronization
import VaultStore

/// An audited write waiting for this node's next group transaction.
struct PendingWrite: Sendable {
    /// The handoff whose row the work reads `FOR UPDATE` and changes only by a submission
    /// (`LockedHandoffs`); nil for any other work.
    let submittingTo: String?
    let work: @Sendable (PostgresConnection) async throws -> any Sendable
    let continuation: CheckedContinuation<any Sendable, any Error>

    /// The most writes one transaction takes. Each is a subtransaction; PostgreSQL keeps the ids
    /// of 64 per transaction in shared memory and past that makes every other session's snapshots
    /// slower, so a group stays below.
    static let maximumGroup = 48
}

extension PendingWrite {
    /// Runs the work in the current group transaction. Work other than a submission might change
    /// a handoff row in a way the group's `LockedHandoffs` does not see: the view is emptied first.
    func run(on connection: PostgresConnection) async throws -> any Sendable {
        if submittingTo == nil { LockedHandoffs.current?.forgetAll() }
        return try await work(connection)
    }
}

extension PostgresStore {
    /// Group commit, as `VaultDatabase` does it on SQLite: audited writes that arrive while a group
    /// is committing wait, then share the next transaction — one audit lock, one commit (one
    /// fsync) for all of them. A member that throws (a refusal, or a statement PostgreSQL refused)
    /// gets its error and leaves nothing written; the others still commit (`groupTransaction`). If the
    /// transaction itself fails (the lock, the commit, the connection), every member gets that
    /// failure: none was acknowledged. Each caller is answered after the commit that holds its work.
    ///
    /// A submission names its handoff (`submittingTo`): the group locks and reads the rows of all
    /// its submissions in one query at its start (`LockedHandoffs`).
    func groupWrite<Result: Sendable>(
        submittingTo handoffId: String? = nil, _ work: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            if pendingWrites.add(PendingWrite(submittingTo: handoffId, work: { try await work($0) }, continuation: continuation)) {
                Task { await self.drainWrites() }
            }
        }
        return result as! Result
    }

    /// Runs groups while writes wait. A group is taken once this node holds the audit lock, not
    /// before: the writes that arrived while another node held it join this transaction instead
    /// of waiting for the next (with two nodes, a group taken before the lock was half the size).
    private func drainWrites() async {
        while pendingWrites.continueDraining() {
            let taking = GroupTaking()
            do {
                let (group, results) = try await read { connection in
                    do {
                        return try await self.groupTransaction(taking, straight: true, on: connection)
                    } catch is RunAgain {
                        return try await self.groupTransaction(taking, straight: false, on: connection)
                    }
                }
                // Whatever happened (a failed COMMIT may still be durable), cached views are stale.
                forget(.views)
                for (member, result) in zip(group, results) { member.continuation.resume(with: result) }
            } catch {
                forget(.views)
                let failure = Self.storeError(error)
                for member in taking.abandon(from: pendingWrites) { member.continuation.resume(throwing: failure) }
            }
        }
    }

    /// One transaction of the group: the audit lock with the tree's right edge (one round trip),
    /// the group (taken now), its submissions' handoff rows, its members, the announcement to the
    /// other nodes, the commit.
    ///
    /// `straight`: the members one after another, without a savepoint (each is a round trip with
    /// the lock held); a group of one fails with its member. If a member of a larger group throws,
    /// the transaction is rolled back and `RunAgain` thrown: the caller runs the group again in a
    /// new transaction, each member in a savepoint of its own, so that the failure is the failed
    /// member's alone. Not `straight`: that second run.
    private func groupTransaction(
        _ taking: GroupTaking, straight: Bool, on connection: PostgresConnection
    ) async throws -> ([PendingWrite], [Swift.Result<any Sendable, any Error>]) {
        do {
            return try await connection.withTransaction(logger: logger) { connection in
                let tree = try await self.lockAudit(connection)
                let group = try taking.take(from: self.pendingWrites)
                let locked = try await self.lockHandoffs(of: group, on: connection)
                let results = try await AuditCursor.$current.withValue(AuditCursor(at: tree)) {
                    try await LockedHandoffs.$current.withValue(locked) {
                        if straight {
                            let (results, announced) = try await self.runStraight(group, on: connection)
                            if !announced { try await self.announceChange(connection, .views) }
                            return results
                        }
                        let results = try await self.runEachInSavepoint(group, on: connection)
                        try await self.announceChange(connection, .views)
                        return results
                    }
                }
                return (group, results)
            }
        } catch let error as PostgresTransactionError where error.closureError is RunAgain && error.rollbackError == nil {
            throw RunAgain()
        }
    }

    /// Locks and reads the rows of the handoffs the group's submissions go to, in one query
    /// before any member runs (so that no savepoint's rollback releases the locks).
    private func lockHandoffs(of group: [PendingWrite], on connection: PostgresConnection) async throws -> LockedHandoffs? {
        let ids = Set(group.compactMap(\.submittingTo))
        guard !ids.isEmpty else { return nil }
        var rows: [HandoffRecord] = []
        for try await row in try await connection.execute(PreparedStatements.HandoffRowsForUpdate(ids: ids.sorted()), logger: logger) {
            rows.append(try HandoffRecord(row: row))
        }
        return LockedHandoffs(rows)
    }

    /// Every member's work, one after another; the first failure is a group of one's own, and
    /// throws `RunAgain` for a larger group (the caller rolls back). Submissions are written
    /// together (`SubmissionBatch`), before any other member runs and at the end; `announced` when
    /// that last write sent the group's announcement.
    private func runStraight(
        _ group: [PendingWrite], on connection: PostgresConnection
    ) async throws -> (results: [Swift.Result<any Sendable, any Error>], announced: Bool) {
        let batch = SubmissionBatch()
        var results: [Swift.Result<any Sendable, any Error>] = []
        do {
            for member in group {
                if member.submittingTo != nil {
                    results.append(.success(try await SubmissionBatch.$current.withValue(batch) { try await member.run(on: connection) }))
                } else {
                    try await write(batch, on: connection)
                    results.append(.success(try await member.run(on: connection)))
                }
            }
            return (results, try await write(batch, on: connection))
        } catch {
            if group.count == 1 { throw error }
            throw RunAgain()
        }
    }

    /// Writes the submissions added to `batch` since it was last written, if any, announcing
    /// the change to the other nodes with them; true when it wrote.
    @discardableResult
    private func write(_ batch: SubmissionBatch, on connection: PostgresConnection) async throws -> Bool {
        guard let statement = batch.take(announcing: announcement(.views)) else { return false }
        do {
            try await connection.run(statement, logger: logger)
            submissionBatches.record(items: statement.submissions.count, refused: false)
        } catch {
            submissionBatches.record(items: statement.submissions.count, refused: true)
            throw error
        }
        return true
    }

    /// Each member in its own savepoint: one that throws rolls back to it and gets its error, the
    /// others keep what they wrote.
    private func runEachInSavepoint(_ group: [PendingWrite], on connection: PostgresConnection) async throws -> [Swift.Result<any Sendable, any Error>] {
        var results: [Swift.Result<any Sendable, any Error>] = []
        // Savepoints of one name nest: a rollback goes back to the latest, this member's. None is
        // released (a round trip saved per member); the commit keeps what each left.
        for member in group {
            try await connection.query("SAVEPOINT member", logger: logger)
            let mark = AuditCursor.current?.position
            do {
                results.append(.success(try await member.run(on: connection)))
            } catch {
                // A failure of the rollback itself (a lost connection) fails the whole group.
                try await connection.query("ROLLBACK TO SAVEPOINT member", logger: logger)
                AuditCursor.current?.move(to: mark)
                LockedHandoffs.current?.forgetAll()
                results.append(.failure(Self.storeError(error)))
            }
        }
        return results
    }
}

/// The group of one transaction, taken from the queue once the transaction holds the audit lock —
/// or, when the transaction failed before (no connection, no lock), the group that failure answers.
/// Taken once (a second transaction of the same group gets the same members); a transaction
/// abandoned past its deadline that reaches the lock later takes nothing.
private final class GroupTaking: Sendable {
    private enum State { case waiting, taken([PendingWrite]), abandoned }
    private let state = Mutex(State.waiting)

    /// The group, for the transaction that now holds the lock; throws if it was abandoned.
    func take(from queue: GroupQueue<PendingWrite>) throws -> [PendingWrite] {
        try state.withLock { state in
            switch state {
            case .waiting:
                let group = queue.nextGroup()
                state = .taken(group)
                return group
            case .taken(let group):
                return group
            case .abandoned:
                throw CancellationError()
            }
        }
    }

    /// The members a failed transaction answers: its group, or the next if it took none.
    func abandon(from queue: GroupQueue<PendingWrite>) -> [PendingWrite] {
        state.withLock { state in
            defer { state = .abandoned }
            if case .taken(let group) = state { return group }
            return queue.nextGroup()
        }
    }
}

/// A member of a group run straight failed, and the transaction was rolled back: run the group
/// again, each member in a savepoint.
private struct RunAgain: Error {}
