import Foundation
import GRDB
import HandoffDomain
import VaultCrypto

/// A new handoff with the invite's token, shown once.
package struct CreatedHandoff: Sendable {
    package let handoffId: String
    package let recipientKey: SealingPublicKey
    package let recipientKeyId: String
    /// The generator's package-signing key, which the invite pins when there is one.
    package let generatorSigningKey: SigningPublicKey?
    package let token: BearerToken
    package let expiresAt: Date

    package init(
        handoffId: String, recipientKey: SealingPublicKey, recipientKeyId: String, generatorSigningKey: SigningPublicKey?,
        token: BearerToken, expiresAt: Date
    ) {
        self.handoffId = handoffId
        self.recipientKey = recipientKey
        self.recipientKeyId = recipientKeyId
        self.generatorSigningKey = generatorSigningKey
        self.token = token
        self.expiresAt = expiresAt
    }
}

extension VaultDatabase {
    /// Registers the generator's public keys as the ones new invites pin; returns the sealing
    /// key's id. Without a signing key, packages cannot be delivered for new invites.
    package func setRecipientKey(_ key: SealingPublicKey, signingKey: SigningPublicKey? = nil, context: OperationContext) async throws -> String {
        let id = key.keyId
        try await write { db in
            try db.execute(sql: "UPDATE recipientKey SET active = 0")
            if var existing = try RecipientKeyRecord.fetchOne(db, key: id) {
                existing.active = true
                if let signingKey { existing.signingPublicKey = Data(signingKey.bytes) }
                try existing.update(db)
            } else {
                try RecipientKeyRecord(
                    id: id, publicKey: Data(key.bytes), createdAt: context.now, active: true, signingPublicKey: signingKey.map { Data($0.bytes) }
                ).insert(db)
            }
            try self.audit(db, .recipientSet, context: context, target: .recipientKey(id: id))
        }
        return id
    }

    /// Creates a handoff pinned to the active recipient key, with its invite token.
    package func createHandoff(customer: String, expiresIn: TimeInterval, tenantId: String? = nil, context: OperationContext) async throws -> CreatedHandoff {
        let keys = try self.keys()
        let handoffId = UUID().uuidString.lowercased()
        let token = try BearerToken.generate(for: .customer)
        let hash = try keys.tokenHash(token)
        let tokenId = try StoreFormat.newTokenId()
        let expiresAt = context.now.addingTimeInterval(expiresIn)
        let recipient = try await write { db -> RecipientKeyRecord in
            guard let recipient = try RecipientKeyRecord.filter(RecipientKeyRecord.Columns.active == true).fetchOne(db) else {
                throw HandoffRule.noRecipientKey
            }
            try HandoffRecord(
                id: handoffId, customer: customer, state: .invited, recipientKeyId: recipient.id,
                createdAt: context.now, expiresAt: expiresAt, releasedAt: nil, acknowledgedAt: nil, submissionCount: 0, tenantId: tenantId
            ).insert(db)
            try TokenRecord(id: tokenId, role: .customer, name: "invite for \(customer)", handoffId: handoffId, hash: hash, createdAt: context.now, revokedAt: nil, expiresAt: nil).insert(db)
            try self.audit(db, .handoffCreated, context: context, handoffId: handoffId)
            return recipient
        }
        return CreatedHandoff(
            handoffId: handoffId, recipientKey: try SealingPublicKey(bytes: [UInt8](recipient.publicKey)),
            recipientKeyId: recipient.id, generatorSigningKey: try recipient.signingPublicKey.map { try SigningPublicKey(bytes: [UInt8]($0)) },
            token: token, expiresAt: expiresAt
        )
    }

    /// Handoffs, newest first, optionally in one (effective) state.
    package func handoffs(state: HandoffState?, now: Date) async throws -> [HandoffSummary] {
        try await read { db in
            try HandoffRecord.order(HandoffRecord.Columns.createdAt.desc).fetchAll(db)
                .filter { state == nil || $0.effectiveState(at: now) == state }
                .map { try Self.summary($0, db: db, now: now) }
        }
    }

    /// One handoff with its receipts: from the view cache, or two prepared statements in one read.
    package func handoff(id: String, now: Date) async throws -> HandoffSummary {
        let view = try await views.value(for: id, now: now) {
            try await self.read { db -> (value: HandoffView, limit: Date?)? in
                guard let record = try HandoffRecord.fetchOne(try db.cachedStatement(sql: "SELECT * FROM handoff WHERE id = ?"), arguments: [id]) else { return nil }
                return (value: HandoffView(record: record, receipts: try Self.receipts(of: id, db: db), deliveredAt: try Self.deliveredAt(id, db: db)), limit: nil)
            }
        }
        guard let view else { throw StoreError(.notFound, "no such handoff") }
        return view.summary(now: now)
    }

    static func summary(_ record: HandoffRecord, db: Database, now: Date) throws -> HandoffSummary {
        record.summary(receipts: try receipts(of: record.id, db: db), deliveredAt: try deliveredAt(record.id, db: db), now: now)
    }

    /// When the package the handoff holds was delivered (nil: none, or purged).
    static func deliveredAt(_ handoffId: String, db: Database) throws -> Date? {
        try Date.fetchOne(db.cachedStatement(sql: "SELECT deliveredAt FROM package WHERE handoffId = ?"), arguments: [handoffId])
    }

    /// The latest `StoreFormat.receiptsShown` receipt notes of a handoff, oldest of them first.
    static func receipts(of handoffId: String, db: Database) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: """
            SELECT receipt FROM (SELECT receipt, auditIndex FROM submission WHERE handoffId = ? ORDER BY auditIndex DESC LIMIT ?)
            ORDER BY auditIndex
            """), arguments: [handoffId, StoreFormat.receiptsShown])
    }

    /// Revokes a handoff: its invite stops working and its sealed data is destroyed (the rows
    /// holding the wrapped data keys are deleted with secure_delete on). Audited.
    package func revokeHandoff(id: String, context: OperationContext) async throws {
        try await write { db in
            var record = try HandoffRecord.fetchOne(db, key: id)
            let next = try HandoffRule.revocation(of: record)
            try SubmissionRecord.filter(SubmissionRecord.Columns.handoffId == id).deleteAll(db)
            try PackageRecord.filter(PackageRecord.Columns.handoffId == id).deleteAll(db)
            try db.execute(sql: "UPDATE token SET revokedAt = ? WHERE handoffId = ? AND revokedAt IS NULL", arguments: [context.now, id])
            record?.state = next
            try record?.update(db)
            try self.audit(db, .handoffRevoked, context: context, handoffId: id)
        }
        principals.invalidate()
        await truncateWAL()
    }

    /// Marks the package as built; starts the retention clock. Audited.
    package func acknowledge(handoffId: String, context: OperationContext) async throws {
        try await write { db in
            var record = try HandoffRule.existing(try HandoffRecord.fetchOne(db, key: handoffId))
            record.state = try HandoffRule.acknowledgement(of: record, now: context.now)
            record.acknowledgedAt = context.now
            try record.update(db)
            try self.audit(db, .handoffAcknowledged, context: context, handoffId: handoffId)
        }
    }
}
