import Foundation
import HandoffDomain

/// Who asks, from where, when: what every audited operation records.
package struct OperationContext: Sendable {
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
