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
    /// gets its error and leaves nothing written; the others still commit (`runMembers`). If the
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
                let (group, results) = try await transaction(auditLock: true) { connection in
                    let group = try taking.take(from: self.pendingWrites)
                    let locked = try await self.lockHandoffs(of: group, on: connection)
                    return (group, try await AuditCursor.$current.withValue(AuditCursor()) {
                        try await LockedHandoffs.$current.withValue(locked) {
                            let results = try await self.runMembers(group, on: connection)
                            try await self.announceChange(connection, .views)
                            return results
                        }
                    })
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

    /// Runs the group's members and returns what each gave or threw. A group of one needs no
    /// savepoint: its failure rolls the transaction back. A larger group first runs every member
    /// straight after another behind one savepoint for the group (a savepoint per member is a
    /// round trip each, a third of a submission's); only if a member throws is the group's work
    /// rolled back to it and run again with a savepoint per member, so that the failure is the
    /// failed member's alone.
    private func runMembers(_ group: [PendingWrite], on connection: PostgresConnection) async throws -> [Swift.Result<any Sendable, any Error>] {
        if group.count == 1 {
            return [.success(try await group[0].run(on: connection))]
        }
        try await connection.query("SAVEPOINT group_start", logger: logger)
        let start = AuditCursor.current?.position
        if let results = try? await runStraight(group, on: connection) { return results.map { .success($0) } }
        // A failure of the rollback itself (a lost connection) fails the whole group.
        try await connection.query("ROLLBACK TO SAVEPOINT group_start", logger: logger)
        AuditCursor.current?.move(to: start)
        LockedHandoffs.current?.forgetAll()
        return try await runEachInSavepoint(group, on: connection)
    }

    /// Every member's work, one after another; the first failure ends the run. Submissions are
    /// written together (`SubmissionBatch`), before any other member runs and at the end.
    private func runStraight(_ group: [PendingWrite], on connection: PostgresConnection) async throws -> [any Sendable] {
        let batch = SubmissionBatch()
        var results: [any Sendable] = []
        for member in group {
            if member.submittingTo != nil {
                results.append(try await SubmissionBatch.$current.withValue(batch) { try await member.run(on: connection) })
            } else {
                try await write(batch, on: connection)
                results.append(try await member.run(on: connection))
            }
        }
        try await write(batch, on: connection)
        return results
    }

    /// Writes the submissions added to `batch` since it was last written, if any.
    private func write(_ batch: SubmissionBatch, on connection: PostgresConnection) async throws {
        guard let statement = batch.take() else { return }
        do {
            try await connection.run(statement, logger: logger)
            submissionBatches.record(items: statement.submissions.count, refused: false)
        } catch {
            submissionBatches.record(items: statement.submissions.count, refused: true)
            throw error
        }
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
/// Taken once: a transaction abandoned past its deadline that reaches the lock later takes nothing.
private final class GroupTaking: Sendable {
    private enum State { case waiting, taken([PendingWrite]), abandoned }
    private let state = Mutex(State.waiting)

    /// The group, for the transaction that now holds the lock; throws if it was abandoned.
    func take(from queue: GroupQueue<PendingWrite>) throws -> [PendingWrite] {
        try state.withLock { state in
            guard case .waiting = state else { throw CancellationError() }
            let group = queue.nextGroup()
            state = .taken(group)
            return group
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
