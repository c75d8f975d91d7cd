import Foundation
import HandoffDomain
import Synchronization
import VaultStore

/// The submissions a group transaction runs one after another, written by one statement
/// (`PreparedStatements.StoreSubmissions`) instead of one each: a statement per member, each a
/// round trip with the audit lock held, was what bounded a node (issue 28).
///
/// A batched member does all it did before in memory — its rule against the locked handoff row
/// (`LockedHandoffs`), its audit rows from the cursor, its signed receipt — and adds its rows here.
/// The group writes the batch before any other member runs and before it commits, so every other
/// write still sees the submissions before it; if that statement fails, the group's work is rolled
/// back and run again a member at a time without a batch, as after any failure.
final class SubmissionBatch: Sendable {
    /// The batch of the group member the current task runs (nil: a submission writes at once).
    @TaskLocal static var current: SubmissionBatch?

    private struct Pending {
        var submissions: [PreparedStatements.StoreSubmissions.Submission] = []
        var audit: AuditRows?
        /// Each handoff's state after its last submission here, and how many it got, in first-seen order.
        var handoffs: [(id: String, state: HandoffState, added: Int64)] = []
    }

    private let pending = Mutex(Pending())

    /// Adds one submission with the handoff state it leaves and its audit rows; false (adding
    /// nothing) when those rows do not follow the ones added before, so that the caller writes
    /// its submission at once instead.
    func add(_ submission: PreparedStatements.StoreSubmissions.Submission, state: HandoffState, audit: AuditRows) -> Bool {
        pending.withLock { batch in
            if let added = batch.audit {
                guard added.isFollowed(by: audit) else { return false }
                batch.audit?.append(contentsOf: audit)
            } else {
                batch.audit = audit
            }
            batch.submissions.append(submission)
            if let at = batch.handoffs.firstIndex(where: { $0.id == submission.handoffId }) {
                batch.handoffs[at].state = state
                batch.handoffs[at].added += 1
            } else {
                batch.handoffs.append((submission.handoffId, state, 1))
            }
            return true
        }
    }

    /// The statement that writes what was added and sends `announcement`, leaving the batch
    /// empty; nil when nothing was added.
    func take(announcing announcement: (channel: String, payload: String)) -> PreparedStatements.StoreSubmissions? {
        pending.withLock { batch in
            defer { batch = Pending() }
            // Audit rows exist exactly when a submission was added.
            guard let audit = batch.audit else { return nil }
            return PreparedStatements.StoreSubmissions(
                submissions: batch.submissions, handoffs: batch.handoffs, audit: audit, announcement: announcement
            )
        }
    }
}

/// Batch statements sent, the items they carried and how many of them PostgreSQL refused, since start.
final class BatchTally: Sendable {
    private let counts = Mutex((statements: 0, items: 0, refused: 0))

    func record(items: Int, refused: Bool) {
        counts.withLock { $0 = ($0.statements + 1, $0.items + items, $0.refused + (refused ? 1 : 0)) }
    }

    var statistics: (statements: Int, items: Int, refused: Int) { counts.withLock { $0 } }
}
