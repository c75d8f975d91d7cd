import HandoffDomain
import Synchronization
import VaultStore

/// The handoff rows a group transaction locked at its start, kept in memory for its submissions:
/// each member that submits to one of them reads it here instead of asking PostgreSQL again (a
/// round trip saved per submission, with the audit lock held).
///
/// The rows are exact for as long as the view holds them: they were read `FOR UPDATE` by the
/// transaction itself, so no other transaction changes them before its commit; a submission
/// records its own change here (`submitted`); and before any other member runs — one that might
/// change a handoff row some other way — the view is emptied (`forgetAll`), as it is when the
/// group's work is rolled back. An emptied view only costs the round trips it would have saved.
final class LockedHandoffs: Sendable {
    /// The view of the group transaction the current task runs in (nil outside one).
    @TaskLocal static var current: LockedHandoffs?

    private let rows: Mutex<[String: HandoffRecord]>

    init(_ rows: [HandoffRecord]) {
        self.rows = Mutex(Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The handoff's row as this transaction has it, if the view holds it.
    func row(_ id: String) -> HandoffRecord? { rows.withLock { $0[id] } }

    /// Records a submission to `handoff` stored by this transaction: its new state and count, as
    /// `PreparedStatements.StoreSubmission` wrote them.
    func submitted(to handoff: HandoffRecord, state: HandoffState) {
        var row = handoff
        row.state = state
        row.submissionCount += 1
        rows.withLock { $0[row.id] = row }
    }

    /// Empties the view: from now on, members read their rows from PostgreSQL.
    func forgetAll() { rows.withLock { $0.removeAll() } }
}
