import Foundation
import HandoffDomain

/// Who asks, from where, when: what every audited operation records.
package struct OperationContext: Sendable {
    /// The audit event this context's operation appends at `index` (every store writes the same).
    package func auditEvent(
        index: Int64, _ action: AuditEvent.Action, outcome: AuditEvent.Outcome, handoffId: String?, submissionId: String?,
        target: AuditEvent.Target?, count: Int64?
    ) -> AuditEvent {
        AuditEvent(
            index: index, time: Timestamp.string(now), action: action, outcome: outcome,
            actorRole: principal?.role.rawValue ?? "anonymous", actorId: principal?.tokenId ?? "-",
            handoffId: handoffId, submissionId: submissionId, target: target, count: count,
            remote: remote, requestId: requestId
        )
    }

    /// The authenticated caller, or nil for an anonymous request.
    package var principal: Principal?
    /// The client's address.
    package var remote: String
    /// The id the server gave the request (also in the response header).
    package var requestId: String
    /// The operation's clock.
    package var now: Date

    /// Creates a context.
    package init(principal: Principal?, remote: String, requestId: String, now: Date) {
        self.principal = principal
        self.remote = remote
        self.requestId = requestId
        self.now = now
    }
}
