import Foundation
import GRDB
import HandoffDomain

/// One client network's refused requests in one window, audited as one event.
/// Requests of one kind counted together for one aggregated audit event with their `count`:
/// refusals per client network and window, or repeated audited reads (package fetches, releases
/// of a submission already released) per credential, handoff and window.
package struct AuditTally: Sendable {
    package let action: AuditEvent.Action
    package let outcome: AuditEvent.Outcome
    /// The handoff the reads were of (nil for refusals).
    package let handoffId: String?
    /// The client's address, or for refusals its network: an IPv4 address or an IPv6 /64 (`*`
    /// for tallies folded together under a flood).
    package let remote: String
    package var count: Int
    /// The first request's caller, if it had a valid credential.
    package let principal: Principal?
    /// The first request's id.
    package let requestId: String

    package init(
        action: AuditEvent.Action = .requestRefused, outcome: AuditEvent.Outcome = .denied, handoffId: String? = nil, remote: String, count: Int,
        principal: Principal?, requestId: String
    ) {
        self.action = action
        self.outcome = outcome
        self.handoffId = handoffId
        self.remote = remote
        self.count = count
        self.principal = principal
        self.requestId = requestId
    }
}

extension VaultDatabase {
    /// The principal a token hash belongs to, if the token exists, is not revoked or expired, and
    /// (for an invite) its handoff still accepts the customer and has not expired. Served from the
    /// principal cache when it can be; otherwise one prepared statement.
    package func principal(forTokenHash hash: Data, now: Date) async throws -> Principal? {
        try await principals.value(for: hash, now: now) {
            try await self.read { db in
                let statement = try db.cachedStatement(sql: """
                    SELECT t.id, t.role, t.handoffId, t.revokedAt, t.expiresAt, h.state, h.expiresAt
                    FROM token t LEFT JOIN handoff h ON h.id = t.handoffId WHERE t.hash = ?
                    """)
                guard let row = try Row.fetchOne(statement, arguments: [hash]) else { return nil }
                return TokenRule.principal(
                    TokenAccess(tokenId: row[0], role: row[1], handoffId: row[2], revokedAt: row[3], expiresAt: row[4], handoffState: row[5], handoffExpiresAt: row[6]),
                    now: now
                ).map { (value: $0.principal, limit: $0.validUntil) }
            }
        }
    }

    /// Creates a generator, auditor or admin token, valid for `expiresIn` seconds when given; the
    /// token itself is returned once.
    package func createToken(role: Role, name: String, expiresIn: TimeInterval? = nil, context: OperationContext) async throws -> IssuedToken {
        let keys = try self.keys()
        try TokenRule.checkIssuable(role)
        let token = try BearerToken.generate(for: role)
        let hash = try keys.tokenHash(token)
        let id = try StoreFormat.newTokenId()
        let expiresAt = expiresIn.map { context.now.addingTimeInterval($0) }
        try await write { db in
            try TokenRecord(id: id, role: role, name: name, handoffId: nil, hash: hash, createdAt: context.now, revokedAt: nil, expiresAt: expiresAt).insert(db)
            try self.audit(db, .tokenCreated, context: context, target: .token(id: id, role: role))
        }
        return IssuedToken(id: id, role: role, token: token, expiresAt: expiresAt)
    }

    /// Every role token (invites are listed with their handoffs), oldest first.
    package func tokens() async throws -> [TokenSummary] {
        try await read { db in
            try TokenRecord.filter(TokenRecord.Columns.role != Role.customer.rawValue)
                .order(TokenRecord.Columns.createdAt, Column("id")).fetchAll(db)
                .map { TokenSummary(id: $0.id, role: $0.role, name: $0.name, createdAt: $0.createdAt, expiresAt: $0.expiresAt, revokedAt: $0.revokedAt) }
        }
    }

    /// Revokes a role token (not an invite: revoke its handoff instead). The last active admin
    /// token cannot be revoked: nobody could manage the vault afterwards.
    package func revokeToken(id: String, context: OperationContext) async throws {
        try await write { db in
            let token = try TokenRecord.fetchOne(db, key: id)
            let admins = try TokenRecord.filter(TokenRecord.Columns.role == Role.admin.rawValue).fetchAll(db)
            let role = try TokenRule.revocation(
                id: id, role: token?.role.rawValue, revokedAt: token?.revokedAt,
                otherActiveAdmin: admins.contains { $0.id != id && $0.isActive(at: context.now) }
            )
            guard var token else { return }
            token.revokedAt = context.now
            try token.update(db)
            try self.audit(db, .tokenRevoked, context: context, target: .token(id: id, role: role))
        }
        principals.invalidate()
    }

    /// Records aggregated requests on the audit log, one event per tally (one transaction for all).
    package func recordTallies(_ tallies: [AuditTally], now: Date) async throws {
        guard !tallies.isEmpty else { return }
        try await write { db in
            for tally in tallies {
                let context = OperationContext(principal: tally.principal, remote: tally.remote, requestId: tally.requestId, now: now)
                try self.audit(db, tally.action, outcome: tally.outcome, context: context, handoffId: tally.handoffId, count: Int64(tally.count))
            }
        }
    }
}

extension AuditTally {
    /// Appends `tally` to `list`, keeping it at most `capacity` long plus one folded tally per
    /// action: past `capacity`, tallies of one action add up in a single one (remote `*`, no
    /// handoff), so nothing is dropped uncounted and memory stays bounded under a flood or a long
    /// storage outage.
    package static func append(_ tally: AuditTally, to list: inout [AuditTally], capacity: Int) {
        if list.count < capacity {
            list.append(tally)
        } else if let folded = list.lastIndex(where: { $0.action == tally.action && $0.remote == "*" && $0.handoffId == nil }) {
            list[folded].count += tally.count
        } else {
            list.append(AuditTally(action: tally.action, outcome: tally.outcome, remote: "*", count: tally.count, principal: nil, requestId: tally.requestId))
        }
    }
}
