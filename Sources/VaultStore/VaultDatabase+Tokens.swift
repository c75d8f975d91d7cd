import Foundation
import GRDB
import HandoffDomain

/// A role token as the admin sees it once.
public struct IssuedToken: Sendable {
    public let id: String
    public let role: Role
    public let token: BearerToken
}

extension VaultDatabase {
    /// The principal a token hash belongs to, if the token exists, is not revoked, and (for an
    /// invite) its handoff still accepts the customer.
    public func principal(forTokenHash hash: Data, now: Date) async throws -> Principal? {
        try await read { db in
            guard let token = try TokenRecord.filter(TokenRecord.Columns.hash == hash).fetchOne(db),
                  token.revokedAt == nil
            else { return nil }
            if token.role == .customer {
                guard let handoffId = token.handoffId,
                      let handoff = try HandoffRecord.fetchOne(db, key: handoffId),
                      handoff.effectiveState(at: now).acceptsSubmissions
                else { return nil }
            }
            return Principal(tokenId: token.id, role: token.role, handoffId: token.handoffId)
        }
    }

    /// Creates a generator, auditor or admin token; the token itself is returned once.
    public func createToken(role: Role, name: String, keys: ServerKeys, context: OperationContext) async throws -> IssuedToken {
        guard role != .customer else {
            throw StoreError(.conflict, "customer tokens come only with invites")
        }
        let token = try BearerToken.generate(for: role)
        let hash = try keys.tokenHash(token)
        let id = try Self.newTokenId()
        try await write { db in
            try TokenRecord(id: id, role: role, name: name, handoffId: nil, hash: hash, createdAt: context.now, revokedAt: nil).insert(db)
            try self.audit(db, .tokenCreated, context: context)
        }
        return IssuedToken(id: id, role: role, token: token)
    }

    /// Revokes a role token (not an invite: revoke its handoff instead).
    public func revokeToken(id: String, context: OperationContext) async throws {
        try await write { db in
            guard var token = try TokenRecord.fetchOne(db, key: id), token.role != .customer, token.revokedAt == nil else {
                throw StoreError(.notFound, "no active role token with that id")
            }
            token.revokedAt = context.now
            try token.update(db)
            try self.audit(db, .tokenRevoked, context: context)
        }
    }

    /// Records a refused request (bad credential or role, or a rate-limited address) on the audit log.
    public func recordRefusal(context: OperationContext, handoffId: String?, action: AuditEvent.Action = .requestRefused) async throws {
        try await write { db in
            _ = try self.audit(db, action, outcome: .denied, context: context, handoffId: handoffId)
        }
    }
}
