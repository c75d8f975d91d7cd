import Foundation
import HandoffDomain
import PostgresNIO
import VaultCrypto
import VaultStore

extension PostgresStore {
    // MARK: Submissions

    package func storeSubmission(handoffId: String, sealed: [UInt8], recipientKeyId: String, limit: Int, context: OperationContext) async throws -> SubmissionReceipt {
        let keys = try self.keys()
        let sealedRecord = try SealedRecord.seal(sealed, table: SealedRecord.submissionTable, handoffId: handoffId, master: keys.master, now: context.now)
        return try await groupWrite(submittingTo: handoffId) { connection in
            let locked = LockedHandoffs.current
            var handoff = locked?.row(handoffId)
            if handoff == nil { handoff = try await self.handoffRow(connection, id: handoffId, forUpdate: true) }
            let next = try HandoffRule.submission(to: handoff, recipientKeyId: recipientKeyId, limit: limit, now: context.now)
            var rows = try await self.auditRows(connection)
            let index = try rows.append(.submissionReceived, context: context, handoffId: handoffId, submissionId: sealedRecord.id)
            let receipt = try sealedRecord.receipt(handoffId: handoffId, auditIndex: index, now: context.now, keys: keys)
            let submission = PreparedStatements.StoreSubmissions.Submission(
                record: sealedRecord, handoffId: handoffId, recipientKeyId: recipientKeyId, receivedAt: context.now, auditIndex: index,
                receipt: receipt.receipt
            )
            if let batch = SubmissionBatch.current, locked?.row(handoffId) != nil, batch.add(submission, state: next, audit: rows) {
                // Written with the group's other submissions (SubmissionBatch), from the locked row.
                AuditCursor.current?.move(to: rows.position)
            } else {
                // The submission, its handoff's new state and its audit event in one statement.
                try await self.run(PreparedStatements.StoreSubmissions(
                    submissions: [submission], handoffs: [(handoffId, next, 1)], audit: rows, announcement: self.announcement(.views)
                ), connection)
            }
            if let handoff { locked?.submitted(to: handoff, state: next) }
            return receipt
        }
    }

    package func releaseLatest(handoffId: String, auditRepeat: Bool, context: OperationContext) async throws -> (released: ReleasedSubmission, audited: Bool) {
        let keys = try self.keys()
        // A repeat (the latest submission was released before) is one read, without the audit
        // lock or a transaction; the caller counts it for an aggregated event.
        let repeated = auditRepeat ? nil : try await read { connection in
            let (state, latest) = try await self.releasable(connection, handoffId: handoffId, now: context.now, forUpdate: false)
            return HandoffRule.release(from: state, auditRepeat: false).audited ? nil : latest
        }
        let audited = repeated == nil
        let record: SubmissionRow
        if let repeated {
            record = repeated
        } else {
            record = try await write { connection -> SubmissionRow in
                let (state, latest) = try await self.releasable(connection, handoffId: handoffId, now: context.now, forUpdate: true)
                try await self.audit(connection, .submissionReleased, context: context, handoffId: handoffId, submissionId: latest.0)
                if let next = HandoffRule.release(from: state, auditRepeat: true).newState {
                    try await connection.query("""
                        UPDATE handoff SET state = \(next.rawValue), released_at = \(context.now) WHERE id = \(handoffId)
                        """, logger: self.logger)
                }
                return latest
            }
        }
        let opened = try SealedRecord.open(
            table: SealedRecord.submissionTable, id: record.0, handoffId: handoffId, ciphertext: record.3, wrappedKey: record.4,
            keyVersion: Int(record.5), recordKeyVersion: Int(record.6), master: keys.master
        )
        let released = ReleasedSubmission(submissionId: record.0, sealed: opened.withUnsafeBytes { Array($0) }, recipientKeyId: record.1, receivedAt: record.2)
        return (released, audited)
    }

    /// A submission's columns: id, recipient key id, received at, ciphertext, wrapped key, key
    /// version, record key version.
    typealias SubmissionRow = (String, String, Date, Data, Data, Int64, Int64)

    /// The handoff's effective state and its latest submission, or why there is none to release:
    /// one query, the handoff's row locked for the rest of the transaction when `forUpdate`.
    private func releasable(_ connection: PostgresConnection, handoffId: String, now: Date, forUpdate: Bool) async throws -> (HandoffState, SubmissionRow) {
        var handoff: HandoffRecord?
        var latest: SubmissionRow?
        // The audit index orders submissions exactly (receive times can tie).
        for try await row in try await connection.query("""
            SELECT \(unescaped: HandoffRecord.postgresColumns), s.*
            FROM handoff LEFT JOIN LATERAL (
                SELECT id, recipient_key_id, received_at, ciphertext, wrapped_key, key_version, record_key_version
                FROM submission WHERE handoff_id = handoff.id ORDER BY audit_index DESC LIMIT 1
            ) s (submission_id, submission_key_id, received_at, ciphertext, wrapped_key, key_version, record_key_version) ON true
            WHERE handoff.id = \(handoffId) \(unescaped: forUpdate ? "FOR UPDATE OF handoff" : "")
            """, logger: self.logger
        ).decode((String, String, String, String, Date, Date, Date?, Date?, Int64, String?, String?, String?, Date?, Data?, Data?, Int64?, Int64?).self) {
            handoff = try HandoffRecord(row: (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9))
            if let id = row.10, let key = row.11, let received = row.12, let ciphertext = row.13, let wrapped = row.14, let version = row.15, let recordVersion = row.16 {
                latest = (id, key, received, ciphertext, wrapped, version, recordVersion)
            }
        }
        let state = try HandoffRule.releasable(handoff, now: now)
        guard let latest else { throw HandoffRule.nothingToRelease(state) }
        return (state, latest)
    }

    // MARK: Packages

    @discardableResult
    package func storePackage(handoffId: String, zip: [UInt8], signature: String, context: OperationContext) async throws -> PackageDelivery {
        let keys = try self.keys()
        let sealed = try SealedRecord.seal(zip, table: SealedRecord.packageTable, handoffId: handoffId, master: keys.master, now: context.now)
        try await write { connection in
            let handoff = try HandoffRule.existing(try await self.handoffRow(connection, id: handoffId, forUpdate: true))
            let next = try HandoffRule.delivery(to: handoff, now: context.now)
            let signing = try await connection.query(
                "SELECT signing_public_key FROM recipient_key WHERE id = \(handoff.recipientKeyId)", logger: self.logger
            ).decode(Data?.self).first(where: { _ in true })
            let signingKey = try PackageDeliveryRule.signingKey(signing ?? nil)
            let statement = try PackageDeliveryRule.verified(signature: signature, zip: zip, handoffId: handoffId, signingKey: signingKey)
            let submissions = try await connection.query(
                "SELECT count(*) FROM submission WHERE id = \(statement.submissionId) AND handoff_id = \(handoffId)", logger: self.logger
            ).decode(Int64.self).first(where: { _ in true }) ?? 0
            let previous = try await connection.query(
                "SELECT signature FROM package WHERE handoff_id = \(handoffId)", logger: self.logger
            ).decode(String.self).first(where: { _ in true })
            try PackageDeliveryRule.check(statement, submissionExists: submissions == 1, previous: previous, signingKey: signingKey)
            let version = Int64(sealed.keyVersion)
            try await connection.query("DELETE FROM package WHERE handoff_id = \(handoffId)", logger: self.logger)
            try await connection.query("""
                INSERT INTO package (id, handoff_id, delivered_at, sha256, size, signature, ciphertext, wrapped_key, key_version, record_key_version)
                VALUES (\(sealed.id), \(handoffId), \(context.now), \(Data(sealed.sha256)), \(Int64(zip.count)), \(signature), \(sealed.ciphertext),
                        \(sealed.wrappedKey), \(version), \(version))
                """, logger: self.logger)
            try await connection.query("""
                UPDATE handoff SET state = \(next.rawValue), acknowledged_at = COALESCE(acknowledged_at, \(context.now))
                WHERE id = \(handoffId)
                """, logger: self.logger)
            try await self.audit(connection, .packageDelivered, context: context, handoffId: handoffId)
        }
        return PackageDelivery(handoffId: handoffId, sha256: sealed.sha256, size: Int64(zip.count))
    }

    package func fetchPackage(handoffId: String, audited: Bool, context: OperationContext) async throws -> DeliveredPackage {
        let keys = try self.keys()
        let record = try await write(auditLock: audited) { connection -> (String, String, Data, Data, Int64, Int64) in
            guard let record = try await connection.query("""
                SELECT id, signature, ciphertext, wrapped_key, key_version, record_key_version FROM package WHERE handoff_id = \(handoffId)
                """, logger: self.logger).decode((String, String, Data, Data, Int64, Int64).self).first(where: { _ in true }) else {
                let exists = try await connection.query("SELECT count(*) FROM handoff WHERE id = \(handoffId)", logger: self.logger)
                    .decode(Int64.self).first(where: { _ in true }) ?? 0
                throw HandoffRule.noPackage(handoffExists: exists > 0)
            }
            if audited { try await self.audit(connection, .packageFetched, context: context, handoffId: handoffId) }
            return record
        }
        let opened = try SealedRecord.open(
            table: SealedRecord.packageTable, id: record.0, handoffId: handoffId, ciphertext: record.2, wrappedKey: record.3,
            keyVersion: Int(record.4), recordKeyVersion: Int(record.5), master: keys.master
        )
        return DeliveredPackage(handoffId: handoffId, zip: opened.withUnsafeBytes { Array($0) }, signature: record.1)
    }

    // MARK: Tokens

    package func principal(for token: BearerToken, now: Date) async throws -> Principal? {
        let hash = Data(try keys().tokenHash(token))
        return try await principals.value(for: hash, now: now) {
            let found = try await self.read { connection in
                try await connection.query("""
                    SELECT t.id, t.role, t.handoff_id, t.revoked_at, t.expires_at, h.state, h.expires_at
                    FROM token t LEFT JOIN handoff h ON h.id = t.handoff_id WHERE t.hash = \(hash)
                    """, logger: self.logger).decode((String, String, String?, Date?, Date?, String?, Date?).self).first(where: { _ in true })
            }
            guard let (id, role, handoffId, revokedAt, expiresAt, state, handoffExpiry) = found else { return nil }
            return TokenRule.principal(
                TokenAccess(tokenId: id, role: role, handoffId: handoffId, revokedAt: revokedAt, expiresAt: expiresAt, handoffState: state, handoffExpiresAt: handoffExpiry),
                now: now
            ).map { (value: $0.principal, limit: $0.validUntil) }
        }
    }

    package func createToken(role: Role, name: String, expiresIn: TimeInterval?, context: OperationContext) async throws -> IssuedToken {
        let keys = try self.keys()
        try TokenRule.checkIssuable(role)
        let token = try BearerToken.generate(for: role)
        let hash = [UInt8](try keys.tokenHash(token))
        let id = try StoreFormat.newTokenId()
        let expiresAt = expiresIn.map { context.now.addingTimeInterval($0) }
        try await write { connection in
            try await connection.query("""
                INSERT INTO token (id, role, name, hash, created_at, expires_at)
                VALUES (\(id), \(role.rawValue), \(name), \(Data(hash)), \(context.now), \(expiresAt))
                """, logger: self.logger)
            try await self.audit(connection, .tokenCreated, context: context, target: .token(id: id, role: role))
        }
        return IssuedToken(id: id, role: role, token: token, expiresAt: expiresAt)
    }

    package func tokens() async throws -> [TokenSummary] {
        try await read { connection in
            var tokens: [TokenSummary] = []
            for try await (id, roleText, name, createdAt, expiresAt, revokedAt) in try await connection.query("""
                SELECT id, role, name, created_at, expires_at, revoked_at FROM token WHERE role <> 'customer' ORDER BY created_at, id
                """, logger: self.logger).decode((String, String, String, Date, Date?, Date?).self) {
                guard let role = Role(rawValue: roleText) else { throw StoreError(.recordCorrupt, "token \(id) has an unknown role") }
                tokens.append(TokenSummary(id: id, role: role, name: name, createdAt: createdAt, expiresAt: expiresAt, revokedAt: revokedAt))
            }
            return tokens
        }
    }

    package func revokeToken(id: String, context: OperationContext) async throws {
        try await write { connection in
            let token = try await connection.query(
                "SELECT role, revoked_at FROM token WHERE id = \(id) FOR UPDATE", logger: self.logger
            ).decode((String, Date?).self).first(where: { _ in true })
            let others = try await connection.query("""
                SELECT COUNT(*) FROM token WHERE role = 'admin' AND id <> \(id) AND revoked_at IS NULL
                AND (expires_at IS NULL OR expires_at > \(context.now))
                """, logger: self.logger).decode(Int64.self).first(where: { _ in true }) ?? 0
            let role = try TokenRule.revocation(id: id, role: token?.0, revokedAt: token?.1, otherActiveAdmin: others > 0)
            try await connection.query("UPDATE token SET revoked_at = \(context.now) WHERE id = \(id)", logger: self.logger)
            try await self.audit(connection, .tokenRevoked, context: context, target: .token(id: id, role: role))
            try await self.announceChange(connection, .principals)
        }
        forget(.principals)
    }

    // MARK: Master key rotation

    /// Re-wraps every data key and server secret from `old` to `new` in one transaction; the
    /// records themselves are not touched. Returns how many data keys moved.
    package func rotateMasterKey(from old: MasterKey, to new: MasterKey, now: Date) async throws -> Int {
        try RotationRule.check(from: old, to: new)
        return try await write { connection in
            var moved = 0
            for table in [SealedRecord.submissionTable, SealedRecord.packageTable] {
                var rows: [(String, Data, Int64)] = []
                for try await row in try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT id, wrapped_key, key_version FROM \(table) FOR UPDATE"), logger: self.logger
                ).decode((String, Data, Int64).self) {
                    rows.append(row)
                }
                for (id, wrapped, version) in rows {
                    let rewrapped = try RotationRule.rewrapDataKey(wrapped, table: table, recordId: id, keyVersion: Int(version), from: old, to: new)
                    var bindings = PostgresBindings()
                    try bindings.append(rewrapped)
                    bindings.append(Int64(new.version))
                    bindings.append(id)
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "UPDATE \(table) SET wrapped_key = $1, key_version = $2 WHERE id = $3", binds: bindings), logger: self.logger
                    )
                    moved += 1
                }
            }
            var secrets: [(String, Data, Int64)] = []
            for try await row in try await connection.query("SELECT name, wrapped, key_version FROM server_secret FOR UPDATE", logger: self.logger)
                .decode((String, Data, Int64).self) {
                secrets.append(row)
            }
            for (name, wrapped, version) in secrets {
                let rewrapped = try RotationRule.rewrapSecret(wrapped, name: name, keyVersion: Int(version), from: old, to: new)
                try await connection.query(
                    "UPDATE server_secret SET wrapped = \(rewrapped), key_version = \(Int64(new.version)) WHERE name = \(name)", logger: self.logger
                )
            }
            try await self.audit(connection, .masterKeyRotated, context: RotationRule.context(now: now))
            return moved
        }
    }
}
