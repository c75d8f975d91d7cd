import Foundation
import GRDB
import Synchronization

/// Group commit: operations that arrive while a transaction is committing wait, and then share the
/// next transaction, each inside its own savepoint. One fsync (and one WAL checkpoint) serves the
/// whole group, and every caller is answered only after the commit that holds its work.
///
/// An operation that throws rolls back its own savepoint and gets its error; the others still
/// commit. If the commit itself fails (disk full, I/O error), every operation in the group gets
/// that failure: none was acknowledged.
final class GroupCommit: Sendable {
    private struct Pending: Sendable {
        let work: @Sendable (Database) throws -> any Sendable
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private let writer: DatabasePool
    /// At most 256 operations per transaction.
    private let queue = GroupQueue<Pending>(maximumGroup: 256)

    init(writer: DatabasePool) {
        self.writer = writer
    }

    /// Runs `work` in a shared transaction and returns its result once that transaction committed.
    func run<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            if queue.add(Pending(work: { db in try work(db) }, continuation: continuation)) { Task { await self.drain() } }
        }
        return result as! T
    }

    private func drain() async {
        while true {
            let group = queue.nextGroup()
            if group.isEmpty { return }
            do {
                let results = try await writer.write { db -> [Result<any Sendable, any Error>] in
                    group.map { item in
                        var outcome: Result<any Sendable, any Error> = .failure(CancellationError())
                        do {
                            try db.inSavepoint {
                                outcome = .success(try item.work(db))
                                return .commit
                            }
                        } catch {
                            outcome = .failure(error)
                        }
                        return outcome
                    }
                }
                for (item, result) in zip(group, results) { item.continuation.resume(with: result) }
            } catch {
                for item in group { item.continuation.resume(throwing: error) }
            }
        }
    }
}


/// The operations waiting for a group commit and whether a drain is running: what both backends'
/// group commits share.
package final class GroupQueue<Member: Sendable>: Sendable {
    private struct State: Sendable {
        var members: [Member] = []
        var draining = false
        var groups = 0
        var grouped = 0
    }

    private let state = Mutex(State())
    /// The most members one transaction takes.
    package let maximumGroup: Int

    package init(maximumGroup: Int) {
        self.maximumGroup = maximumGroup
    }

    /// Queues `member`; true when no drain is running, so the caller must start one.
    package func add(_ member: Member) -> Bool {
        state.withLock { state in
            state.members.append(member)
            if state.draining { return false }
            state.draining = true
            return true
        }
    }

    /// The next group, oldest first; empty when none waits, and the drain then ends.
    package func nextGroup() -> [Member] {
        state.withLock { state in
            let group = Array(state.members.prefix(maximumGroup))
            state.members.removeFirst(group.count)
            if group.isEmpty { state.draining = false }
            state.groups += group.isEmpty ? 0 : 1
            state.grouped += group.count
            return group
        }
    }

    /// Whether the drain goes on: true when members wait (only the drain takes them, so its next
    /// `nextGroup` is not empty); false when none does, and the drain ends.
    package func continueDraining() -> Bool {
        state.withLock { state in
            if state.members.isEmpty { state.draining = false }
            return state.draining
        }
    }

    /// Transactions run and the members they carried, since start.
    package var statistics: (groups: Int, members: Int) {
        state.withLock { ($0.groups, $0.grouped) }
    }
}
