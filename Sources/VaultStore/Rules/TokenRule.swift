import Foundation
import HandoffDomain

/// What a token row, joined with its handoff's, says about its holder.
package struct TokenAccess: Sendable {
    package let tokenId: String
    /// The stored role's text (an unknown one opens nothing).
    package let role: String
    package let handoffId: String?
    package let revokedAt: Date?
    package let expiresAt: Date?
    /// The invite's handoff's stored state and expiry (nil for role tokens).
    package let handoffState: String?
    package let handoffExpiresAt: Date?

    package init(
        tokenId: String, role: String, handoffId: String?, revokedAt: Date?, expiresAt: Date?, handoffState: String?, handoffExpiresAt: Date?
    ) {
        self.tokenId = tokenId
        self.role = role
        self.handoffId = handoffId
        self.revokedAt = revokedAt
        self.expiresAt = expiresAt
        self.handoffState = handoffState
        self.handoffExpiresAt = handoffExpiresAt
    }
}

/// What a store decides about tokens, the same on every backend.
package enum TokenRule {
    /// The caller a token belongs to at `now` and until when that holds (for a cache), or nil: a
    /// revoked, expired or unknown-role token, or an invite whose handoff no longer takes its customer.
    package static func principal(_ access: TokenAccess, now: Date) -> (principal: Principal, validUntil: Date?)? {
        guard let role = Role(rawValue: access.role), access.revokedAt == nil else { return nil }
        var validUntil = access.expiresAt
        if let expiresAt = access.expiresAt, now >= expiresAt { return nil }
        if role == .customer {
            guard let state = access.handoffState.flatMap(HandoffState.init(rawValue:)), let handoffExpiry = access.handoffExpiresAt,
                  state.acceptsCustomer(expiresAt: handoffExpiry, at: now)
            else { return nil }
            validUntil = min(validUntil ?? handoffExpiry, handoffExpiry)
        }
        return (Principal(tokenId: access.tokenId, role: role, handoffId: access.handoffId), validUntil)
    }

    /// Refuses a role token of the customer role: invites are made with their handoffs.
    package static func checkIssuable(_ role: Role) throws {
        guard role != .customer else { throw StoreError(.conflict, "customer tokens come only with invites") }
    }

    /// The role of the role token `id` being revoked (its stored `role`, nil when there is no
    /// such row), or why it may not be: no such active role token, or the last active admin token.
    package static func revocation(id: String, role: String?, revokedAt: Date?, otherActiveAdmin: Bool) throws -> Role {
        guard let role = role.flatMap(Role.init(rawValue:)), role != .customer, revokedAt == nil else {
            throw StoreError(.notFound, "no active role token with that id")
        }
        guard role != .admin || otherActiveAdmin else {
            throw StoreError(.conflict, "\(id) is the last active admin token; create another admin token before revoking it")
        }
        return role
    }
}
