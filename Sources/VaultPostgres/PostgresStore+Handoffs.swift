import Foundation
import HandoffDomain
import PostgresNIO
import VaultCrypto
import VaultStore

/// The columns of a handoff row, in the order `HandoffRecord(row:)` reads them.
typealias HandoffColumns = (String, String, String, String, Date, Date, Date?, Date?, Int64, String?)

extension HandoffRecord {
    static let postgresColumns = "id, customer, state, recipient_key_id, created_at, expires_at, released_at, acknowledged_at, submission_count, tenant_id"

    /// A row read from PostgreSQL (`postgresColumns`).
    init(row: HandoffColumns) throws {
        guard let state = HandoffState(rawValue: row.2) else { throw StoreError(.recordCorrupt, "handoff \(row.0) has an unknown state") }
        self.init(
            id: row.0, customer: row.1, state: state, recipientKeyId: row.3, createdAt: row.4, expiresAt: row.5,
            releasedAt: row.6, acknowledgedAt: row.7, submissionCount: Int(row.8), tenantId: row.9
        )
    }
}

extension PostgresStore {
    /// One handoff row, locked for the rest of the transaction when `forUpdate`.
    func handoffRow(_ connection: PostgresConnection, id: String, forUpdate: Bool = false) async throws -> HandoffRecord? {
        if forUpdate {
            for try await row in try await connection.execute(PreparedStatements.HandoffRowForUpdate(id: id), logger: logger) { return try HandoffRecord(row: row) }
        } else {
            for try await row in try await connection.execute(PreparedStatements.HandoffRow(id: id), logger: logger) { return try HandoffRecord(row: row) }
        }
        return nil
    }

    func binds(_ values: String...) -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values { bindings.append(value) }
        return bindings
    }

    /// The latest `StoreFormat.receiptsShown` receipt notes of a handoff, oldest of them first.
    func receipts(_ connection: PostgresConnection, of handoffId: String) async throws -> [String] {
        var notes: [String] = []
        for try await note in try await connection.query("""
            SELECT receipt FROM (SELECT receipt, audit_index FROM submission WHERE handoff_id = \(handoffId)
            ORDER BY audit_index DESC LIMIT \(Int64(StoreFormat.receiptsShown))) latest ORDER BY audit_index
            """, logger: self.logger).decode(String.self) {
            notes.append(note)
        }
        return notes
    }

    /// When the package the handoff holds was delivered (nil: none, or purged).
    func deliveredAt(_ connection: PostgresConnection, _ handoffId: String) async throws -> Date? {
        for try await at in try await connection.query(
            "SELECT delivered_at FROM package WHERE handoff_id = \(handoffId)", logger: self.logger
        ).decode(Date.self) {
            return at
        }
        return nil
    }

    package func setRecipientKey(_ key: SealingPublicKey, signingKey: SigningPublicKey?, context: OperationContext) async throws -> String {
        let id = key.keyId
        try await write { connection in
            try await connection.query("UPDATE recipient_key SET active = false", logger: self.logger)
            try await connection.query("""
                INSERT INTO recipient_key (id, public_key, signing_public_key, created_at, active)
                VALUES (\(id), \(Data(key.bytes)), \(signingKey.map { Data($0.bytes) }), \(context.now), true)
                ON CONFLICT (id) DO UPDATE SET active = true,
                    signing_public_key = COALESCE(EXCLUDED.signing_public_key, recipient_key.signing_public_key)
                """, logger: self.logger)
            try await self.audit(connection, .recipientSet, context: context, target: .recipientKey(id: id))
        }
        return id
    }

    package func createHandoff(customer: String, expiresIn: TimeInterval, tenantId: String?, context: OperationContext) async throws -> CreatedHandoff {
        let keys = try self.keys()
        let handoffId = UUID().uuidString.lowercased()
        let token = try BearerToken.generate(for: .customer)
        let hash = [UInt8](try keys.tokenHash(token))
        let tokenId = try StoreFormat.newTokenId()
        let expiresAt = context.now.addingTimeInterval(expiresIn)
        let (recipientId, publicKey, signing) = try await write { connection -> (String, Data, Data?) in
            guard let recipient = try await connection.query(
                "SELECT id, public_key, signing_public_key FROM recipient_key WHERE active", logger: self.logger
            ).decode((String, Data, Data?).self).first(where: { _ in true }) else {
                throw HandoffRule.noRecipientKey
            }
            try await connection.query("""
                INSERT INTO handoff (id, customer, state, recipient_key_id, created_at, expires_at, tenant_id)
                VALUES (\(handoffId), \(customer), \(HandoffState.invited.rawValue), \(recipient.0), \(context.now), \(expiresAt), \(tenantId))
                """, logger: self.logger)
            try await connection.query("""
                INSERT INTO token (id, role, name, handoff_id, hash, created_at)
                VALUES (\(tokenId), \(Role.customer.rawValue), \("invite for \(customer)"), \(handoffId), \(Data(hash)), \(context.now))
                """, logger: self.logger)
            try await self.audit(connection, .handoffCreated, context: context, handoffId: handoffId)
            return recipient
        }
        return CreatedHandoff(
            handoffId: handoffId, recipientKey: try SealingPublicKey(bytes: [UInt8](publicKey)), recipientKeyId: recipientId,
            generatorSigningKey: try signing.map { try SigningPublicKey(bytes: [UInt8]($0)) }, token: token, expiresAt: expiresAt
        )
    }

    /// Every handoff (in `state`, when given) with its latest receipts and its delivery, newest
    /// first, in two queries: the rows, then what the ones shown carry (was two round trips per
    /// handoff: 13 s for 20,000).
    package func handoffs(state: HandoffState?, now: Date) async throws -> [HandoffSummary] {
        try await read { connection in
            var shown: [HandoffRecord] = []
            for try await row in try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT \(HandoffRecord.postgresColumns) FROM handoff ORDER BY created_at DESC, id"), logger: self.logger
            ).decode(HandoffColumns.self) {
                let record = try HandoffRecord(row: row)
                if state == nil || record.effectiveState(at: now) == state { shown.append(record) }
            }
            var carried: [String: (receipts: [String], deliveredAt: Date?)] = [:]
            for try await (id, deliveredAt, receipts) in try await connection.query("""
                SELECT shown.id, p.delivered_at,
                       ARRAY(SELECT receipt FROM (SELECT receipt, audit_index FROM submission s WHERE s.handoff_id = shown.id
                             ORDER BY audit_index DESC LIMIT \(Int64(StoreFormat.receiptsShown))) latest ORDER BY audit_index)
                FROM unnest(\(shown.map(\.id))::text[]) AS shown(id) LEFT JOIN package p ON p.handoff_id = shown.id
                """, logger: self.logger
            ).decode((String, Date?, [String]).self) {
                carried[id] = (receipts, deliveredAt)
            }
            return shown.map { record in
                record.summary(receipts: carried[record.id]?.receipts ?? [], deliveredAt: carried[record.id]?.deliveredAt, now: now)
            }
        }
    }

    package func handoff(id: String, now: Date) async throws -> HandoffSummary {
        try await view(id: id, now: now).summary(now: now)
    }

    package func revokeHandoff(id: String, context: OperationContext) async throws {
        try await write { connection in
            let next = try HandoffRule.revocation(of: try await self.handoffRow(connection, id: id, forUpdate: true))
            try await self.shred(connection, [(id, next)], now: context.now)
            try await self.audit(connection, .handoffRevoked, context: context, handoffId: id)
            try await self.announceChange(connection, .principals)
        }
        forget(.principals)
    }

    /// Deletes the handoffs' submissions and packages (each row holding its wrapped data key),
    /// stops their invites and sets each its new state: crypto-shredding, in one statement however
    /// many handoffs.
    func shred(_ connection: PostgresConnection, _ handoffs: [(id: String, state: HandoffState)], now: Date) async throws {
        let ids = handoffs.map(\.id)
        try await connection.query("""
            WITH submissions AS (DELETE FROM submission WHERE handoff_id = ANY(\(ids))),
                 packages AS (DELETE FROM package WHERE handoff_id = ANY(\(ids))),
                 invites AS (UPDATE token SET revoked_at = \(now) WHERE handoff_id = ANY(\(ids)) AND revoked_at IS NULL)
            UPDATE handoff SET state = shredded.state FROM unnest(\(ids)::text[], \(handoffs.map(\.state.rawValue))::text[]) AS shredded(id, state)
            WHERE handoff.id = shredded.id
            """, logger: self.logger)
    }

    package func acknowledge(handoffId: String, context: OperationContext) async throws {
        try await write { connection in
            let next = try HandoffRule.acknowledgement(of: try await self.handoffRow(connection, id: handoffId, forUpdate: true), now: context.now)
            try await connection.query("""
                UPDATE handoff SET state = \(next.rawValue), acknowledged_at = \(context.now) WHERE id = \(handoffId)
                """, logger: self.logger)
            try await self.audit(connection, .handoffAcknowledged, context: context, handoffId: handoffId)
        }
    }

    package func purge(now: Date, policy: RetentionPolicy) async throws -> PurgeReport {
        let context = OperationContext(principal: nil, remote: "local", requestId: "retention", now: now)
        // Candidates read outside any write; each batch then locks its rows and checks them again.
        let candidates = try await read { connection in
            var ids: [String] = []
            for try await id in try await connection.query("""
                SELECT id FROM handoff WHERE state = ANY(\(RetentionPolicy.purgeableStates))
                OR (state = ANY(\(RetentionPolicy.expiringStates)) AND expires_at <= \(now)) ORDER BY created_at
                """, logger: self.logger).decode(String.self) {
                ids.append(id)
            }
            return ids
        }
        return try await policy.inBatches(candidates) { batch in
            let (done, holdingSince) = try await self.write { connection in
                let holdingSince = ContinuousClock.now
                // The batch's rows locked and checked again in one statement, their data destroyed
                // and their states set in one more, and every purge's audit event (and
                // announcement) appended in a third.
                var records: [String: HandoffRecord] = [:]
                for try await row in try await connection.query(
                    "SELECT \(unescaped: HandoffRecord.postgresColumns) FROM handoff WHERE id = ANY(\(batch)) ORDER BY id FOR UPDATE", logger: self.logger
                ).decode(HandoffColumns.self) {
                    let record = try HandoffRecord(row: row)
                    records[record.id] = record
                }
                let due = batch.compactMap { records[$0] }.filter { policy.isDue($0, now: now) }
                guard !due.isEmpty else { return ([String](), holdingSince) }
                try await self.shred(connection, due.map { ($0.id, HandoffAction.purge.state(after: $0.state)) }, now: now)
                try await self.appendAudit(connection, at: now) { rows in
                    for record in due {
                        let announced = HandoffEvent.Kind(purgingFrom: record.effectiveState(at: now)).map { (kind: $0, handoffId: record.id) }
                        try rows.append(announcing: announced) { index in
                            try AuditRule.entry(index: index, .handoffPurged, outcome: .success, context: context, handoffId: record.id, submissionId: nil, target: nil, count: nil)
                        }
                    }
                }
                try await self.announceChange(connection, .principals)
                return (due.map(\.id), holdingSince)
            }
            self.forget(.principals)
            return (done, holdingSince)
        }
    }
}
