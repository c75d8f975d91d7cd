import Foundation
import HandoffDomain

/// Who asks, from where, when: what every audited operation records.
public struct OperationContext: Sendable {
    /// The authenticated caller, or nil for an anonymous request.
    public var principal: Principal?
    /// The client's address.
    public var remote: String
    /// The id the server gave the request (also in the response header).
    public var requestId: String
    /// The operation's clock.
    public var now: Date

    /// Creates a context.
    public init(principal: Principal?, remote: String, requestId: String, now: Date) {
        self.principal = principal
        self.remote = remote
        self.requestId = requestId
        self.now = now
    }
}
