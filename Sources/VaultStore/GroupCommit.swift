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

    private struct State: Sendable {
        var pending: [Pending] = []
        var committing = false
    }

    private let writer: DatabasePool
    private let state = Mutex(State())
    /// The most operations one transaction takes.
    private let maximumGroup = 256

    init(writer: DatabasePool) {
        self.writer = writer
    }

    /// Runs `work` in a shared transaction and returns its result once that transaction committed.
    func run<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let startDrain = state.withLock { state -> Bool in
                state.pending.append(Pending(work: { db in try work(db) }, continuation: continuation))
                if state.committing { return false }
                state.committing = true
                return true
            }
            if startDrain { Task { await self.drain() } }
        }
        return result as! T
    }

    private func drain() async {
        while true {
            let group = state.withLock { state -> [Pending] in
                let group = Array(state.pending.prefix(maximumGroup))
                state.pending.removeFirst(group.count)
                if group.isEmpty { state.committing = false }
                return group
            }
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
