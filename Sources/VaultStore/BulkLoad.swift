import Foundation
import HandoffDomain

/// Bulk loading for the scale benchmark (`scale-fill`): a store of a million handoffs and ten
/// million events in minutes, on either backend, holding the rows the store's own operations
/// would have written. Run with every node stopped.
package protocol BulkLoadable: HandoffStore {
    /// Adds `count` invited handoffs, each with its customer token (a random hash: no one holds
    /// it), sealed to the active recipient key, `batch` per transaction. Every `expiringEvery`-th
    /// handoff expires a day after `now` (retention's work, for a purge as of a later time); the
    /// others in 30 days.
    func addLoadHandoffs(_ count: Int, expiringEvery: Int, now: Date, batch: Int) async throws

    /// Appends `count` copies of one refused-request event, `batch` per transaction, each with the
    /// Merkle nodes it completes (and a checkpoint when one is due, if the store's keys are open).
    func appendLoadAuditEvents(_ count: Int64, action: AuditEvent.Action, context: OperationContext, batch: Int64) async throws
}
