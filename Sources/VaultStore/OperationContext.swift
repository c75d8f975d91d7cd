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

/// An authenticated caller: the token's id and role, and for an invite, its handoff.
public struct Principal: Sendable, Equatable {
    public let tokenId: String
    public let role: Role
    /// Set only for `customer`: the one handoff this invite reaches.
    public let handoffId: String?

    /// Creates a principal.
    public init(tokenId: String, role: Role, handoffId: String?) {
        self.tokenId = tokenId
        self.role = role
        self.handoffId = handoffId
    }
}
