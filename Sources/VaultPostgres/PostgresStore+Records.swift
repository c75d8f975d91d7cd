import Foundation
import HandoffDomain
import PostgresNIO
import VaultCrypto
import VaultStore

extension PostgresStore {
    // MARK: Submissions

    package func storeSubmission(handoffId: String, sealed: [UInt8], recipientKeyId: String, limit: Int, context: OperationContext) async throws -> SubmissionReceipt {
        let keys = try self.keys()
        let submissionId = UUID().uuidString.lowercased()
        let digest = try SHA256.hash(sealed)
        let (ciphertext, wrapped) = try AtRest.seal(sealed, table: "submission", recordId: submissionId, handoffId: handoffId, master: keys.master)
        return try await write { connection in
            guard let handoff = try await self.handoffRow(connection, id: handoffId, forUpdate: true) else {
                throw StoreError(.notFound, "no such handoff")
            }
            guard handoff.acceptsCustomer(at: context.now) else {
                throw StoreError(.conflict, "this handoff no longer accepts submissions (it is \(handoff.effectiveState(at: context.now).rawValue))")
            }
            guard handoff.submissionCount < limit else {
                throw StoreError(.limitReached, "this handoff has received \(handoff.submissionCount) submissions, the most it takes; ask the operator to revoke it and send a new invite")
            }
            guard handoff.recipientKeyId == recipientKeyId else {
                throw StoreError(.recipientMismatch, "the values were sealed to another key than this handoff's generator key")
            }
            let index = try await self.audit(connection, .submissionReceived, context: context, handoffId: handoffId, submissionId: submissionId)
            let receipt = try Receipt(
                handoffId: handoffId, submissionId: submissionId, sealedSHA256: digest, receivedAt: Timestamp.string(context.now), auditIndex: index
            ).signed(keyName: keys.keyName, with: keys.signing)
            let version = Int64(keys.master.version)
            try await connection.query("""
                INSERT INTO submission (id, handoff_id, recipient_key_id, received_at, audit_index, sealed_sha256, ciphertext,
                                        wrapped_key, key_version, record_key_version, receipt)
                VALUES (\(submissionId), \(handoffId), \(recipientKeyId), \(context.now), \(index), \(Data(digest)), \(Data(ciphertext)),
                        \(Data(wrapped)), \(version), \(version), \(receipt))
                """, logger: self.logger)
            try await connection.query("""
                UPDATE handoff SET state = \(HandoffState.submitted.rawValue), submission_count = submission_count + 1 WHERE id = \(handoffId)
                """, logger: self.logger)
            return SubmissionReceipt(handoffId: handoffId, submissionId: submissionId, receivedAt: context.now, auditIndex: index, receipt: receipt)
        }
    }

    package func releaseLatest(handoffId: String, auditRepeat: Bool, context: OperationContext) async throws -> (released: ReleasedSubmission, audited: Bool) {
        let keys = try self.keys()
        // A repeat (the latest submission was released before) is read in a transaction of its
        // own, without the audit lock; the caller counts it for an aggregated event.
        let repeated = auditRepeat ? nil : try await write(auditLock: false) { connection in
            let (state, latest) = try await self.releasable(connection, handoffId: handoffId, now: context.now, forUpdate: false)
            return state.hasReleasedLatest ? latest : nil
        }
        let audited = repeated == nil
        let record: SubmissionRow
        if let repeated {
            record = repeated
        } else {
            record = try await write { connection -> SubmissionRow in
                let (state, latest) = try await self.releasable(connection, handoffId: handoffId, now: context.now, forUpdate: true)
                try await self.audit(connection, .submissionReleased, context: context, handoffId: handoffId, submissionId: latest.0)
                if state == .submitted {
                    try await connection.query("""
                        UPDATE handoff SET state = \(HandoffState.released.rawValue), released_at = \(context.now) WHERE id = \(handoffId)
                        """, logger: self.logger)
                }
                return latest
            }
        }
        let opened = try open(
            [UInt8](record.3), wrappedKey: [UInt8](record.4), table: "submission", recordId: record.0, handoffId: handoffId,
            recordKeyVersion: record.6, keyVersion: record.5, master: keys.master
        )
        let released = ReleasedSubmission(submissionId: record.0, sealed: opened.withUnsafeBytes { Array($0) }, recipientKeyId: record.1, receivedAt: record.2)
        return (released, audited)
    }

    /// A submission's columns: id, recipient key id, received at, ciphertext, wrapped key, key
    /// version, record key version.
    typealias SubmissionRow = (String, String, Date, Data, Data, Int64, Int64)

    /// The handoff's effective state and its latest submission, or why there is none to release.
    private func releasable(_ connection: PostgresConnection, handoffId: String, now: Date, forUpdate: Bool) async throws -> (HandoffState, SubmissionRow) {
        guard let handoff = try await self.handoffRow(connection, id: handoffId, forUpdate: forUpdate) else {
            throw StoreError(.notFound, "no such handoff")
        }
        let state = handoff.effectiveState(at: now)
        // The audit index orders submissions exactly (receive times can tie).
        guard state.hasSubmission,
              let latest = try await connection.query("""
                  SELECT id, recipient_key_id, received_at, ciphertext, wrapped_key, key_version, record_key_version
                  FROM submission WHERE handoff_id = \(handoffId) ORDER BY audit_index DESC LIMIT 1
                  """, logger: self.logger).decode(SubmissionRow.self).first(where: { _ in true })
        else {
            throw StoreError(.conflict, "this handoff has no submission to release (it is \(state.rawValue))")
        }
        return (state, latest)
    }

    /// Decrypts one record; a record that does not open was changed or moved in the database.
    private func open(
        _ ciphertext: [UInt8], wrappedKey: [UInt8], table: String, recordId: String, handoffId: String,
        recordKeyVersion: Int64, keyVersion: Int64, master: MasterKey
    ) throws -> SecretBytes {
        do {
            return try AtRest.open(
                ciphertext, wrappedKey: wrappedKey, table: table, recordId: recordId, handoffId: handoffId,
                recordKeyVersion: Int(recordKeyVersion), keyVersion: Int(keyVersion), master: master
            )
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.recordCorrupt, "\(table) \(recordId) does not decrypt: it was changed or moved in the database")
        }
    }

    // MARK: Packages

    @discardableResult
    package func storePackage(handoffId: String, zip: [UInt8], signature: String, context: OperationContext) async throws -> PackageDelivery {
        let keys = try self.keys()
        let packageId = UUID().uuidString.lowercased()
        let digest = try SHA256.hash(zip)
        let (ciphertext, wrapped) = try AtRest.seal(zip, table: "package", recordId: packageId, handoffId: handoffId, master: keys.master)
        try await write { connection in
            guard let handoff = try await self.handoffRow(connection, id: handoffId, forUpdate: true) else {
                throw StoreError(.notFound, "no such handoff")
            }
            let state = handoff.effectiveState(at: context.now)
            guard state.acceptsPackage else {
                throw StoreError(.conflict, "a package is delivered after the values were fetched (the handoff is \(state.rawValue))")
            }
            let signing = try await connection.query(
                "SELECT signing_public_key FROM recipient_key WHERE id = \(handoff.recipientKeyId)", logger: self.logger
            ).decode(Data?.self).first(where: { _ in true })
            guard let signingBytes = signing ?? nil, let signingKey = try? SigningPublicKey(bytes: [UInt8](signingBytes)) else {
                throw StoreError(.conflict, "this handoff's generator key was registered without a signing key; register generator.pub from handoff keys generate and send a new invite")
            }
            let statement = try PackageDeliveryRule.verified(signature: signature, zip: zip, handoffId: handoffId, signingKey: signingKey)
            let submissions = try await connection.query(
                "SELECT count(*) FROM submission WHERE id = \(statement.submissionId) AND handoff_id = \(handoffId)", logger: self.logger
            ).decode(Int64.self).first(where: { _ in true }) ?? 0
            let previous = try await connection.query(
                "SELECT signature FROM package WHERE handoff_id = \(handoffId)", logger: self.logger
            ).decode(String.self).first(where: { _ in true })
            try PackageDeliveryRule.check(statement, submissionExists: submissions == 1, previous: previous, signingKey: signingKey)
            let version = Int64(keys.master.version)
            try await connection.query("DELETE FROM package WHERE handoff_id = \(handoffId)", logger: self.logger)
            try await connection.query("""
                INSERT INTO package (id, handoff_id, delivered_at, sha256, size, signature, ciphertext, wrapped_key, key_version, record_key_version)
                VALUES (\(packageId), \(handoffId), \(context.now), \(Data(digest)), \(Int64(zip.count)), \(signature), \(Data(ciphertext)), \(Data(wrapped)), \(version), \(version))
                """, logger: self.logger)
            try await connection.query("""
                UPDATE handoff SET state = \(HandoffState.delivered.rawValue), acknowledged_at = COALESCE(acknowledged_at, \(context.now))
                WHERE id = \(handoffId)
                """, logger: self.logger)
            try await self.audit(connection, .packageDelivered, context: context, handoffId: handoffId)
        }
        return PackageDelivery(handoffId: handoffId, sha256: digest, size: Int64(zip.count))
    }

    package func fetchPackage(handoffId: String, audited: Bool, context: OperationContext) async throws -> DeliveredPackage {
        let keys = try self.keys()
        let record = try await write(auditLock: audited) { connection -> (String, String, Data, Data, Int64, Int64) in
            guard let record = try await connection.query("""
                SELECT id, signature, ciphertext, wrapped_key, key_version, record_key_version FROM package WHERE handoff_id = \(handoffId)
                """, logger: self.logger).decode((String, String, Data, Data, Int64, Int64).self).first(where: { _ in true }) else {
                throw StoreError(.notFound, "no package has been delivered for this handoff yet")
            }
            if audited { try await self.audit(connection, .packageFetched, context: context, handoffId: handoffId) }
            return record
        }
        let opened = try open(
            [UInt8](record.2), wrappedKey: [UInt8](record.3), table: "package", recordId: record.0, handoffId: handoffId,
            recordKeyVersion: record.5, keyVersion: record.4, master: keys.master
        )
        return DeliveredPackage(handoffId: handoffId, zip: opened.withUnsafeBytes { Array($0) }, signature: record.1)
    }

    // MARK: Tokens

    package func principal(for token: BearerToken, now: Date) async throws -> Principal? {
        let hash = [UInt8](try keys().tokenHash(token))
        let found = try await read { connection in
            try await connection.query("""
                SELECT t.id, t.role, t.handoff_id, t.revoked_at, t.expires_at, h.state, h.expires_at
                FROM token t LEFT JOIN handoff h ON h.id = t.handoff_id WHERE t.hash = \(Data(hash))
                """, logger: self.logger).decode((String, String, String?, Date?, Date?, String?, Date?).self).first(where: { _ in true })
        }
        guard let (id, roleText, handoffId, revokedAt, expiresAt, stateText, handoffExpiry) = found,
              let role = Role(rawValue: roleText), revokedAt == nil
        else { return nil }
        if let expiresAt, now >= expiresAt { return nil }
        if role == .customer {
            guard let state = stateText.flatMap(HandoffState.init(rawValue:)), let handoffExpiry,
                  state.acceptsCustomer(expiresAt: handoffExpiry, at: now)
            else { return nil }
        }
        return Principal(tokenId: id, role: role, handoffId: handoffId)
    }

    package func createToken(role: Role, name: String, expiresIn: TimeInterval?, context: OperationContext) async throws -> IssuedToken {
        let keys = try self.keys()
        guard role != .customer else { throw StoreError(.conflict, "customer tokens come only with invites") }
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
            guard let (roleText, revokedAt) = try await connection.query(
                "SELECT role, revoked_at FROM token WHERE id = \(id) FOR UPDATE", logger: self.logger
            ).decode((String, Date?).self).first(where: { _ in true }),
                  let role = Role(rawValue: roleText), role != .customer, revokedAt == nil
            else {
                throw StoreError(.notFound, "no active role token with that id")
            }
            if role == .admin {
                let others = try await connection.query("""
                    SELECT COUNT(*) FROM token WHERE role = 'admin' AND id <> \(id) AND revoked_at IS NULL
                    AND (expires_at IS NULL OR expires_at > \(context.now))
                    """, logger: self.logger).decode(Int64.self).first(where: { _ in true }) ?? 0
                guard others > 0 else {
                    throw StoreError(.conflict, "\(id) is the last active admin token; create another admin token before revoking it")
                }
            }
            try await connection.query("UPDATE token SET revoked_at = \(context.now) WHERE id = \(id)", logger: self.logger)
            try await self.audit(connection, .tokenRevoked, context: context, target: .token(id: id, role: role))
        }
    }

    // MARK: Master key rotation

    /// Re-wraps every data key and server secret from `old` to `new` in one transaction; the
    /// records themselves are not touched. Returns how many data keys moved.
    package func rotateMasterKey(from old: MasterKey, to new: MasterKey, now: Date) async throws -> Int {
        guard new.version > old.version else { throw StoreError(.conflict, "the new master key must have a higher version") }
        return try await write { connection in
            var moved = 0
            for table in ["submission", "package"] {
                var rows: [(String, Data, Int64)] = []
                for try await row in try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT id, wrapped_key, key_version FROM \(table) FOR UPDATE"), logger: self.logger
                ).decode((String, Data, Int64).self) {
                    rows.append(row)
                }
                for (id, wrapped, version) in rows {
                    let dataKey: SecretBytes
                    do {
                        dataKey = try AtRest.unwrap([UInt8](wrapped), table: table, recordId: id, keyVersion: Int(version), master: old)
                    } catch {
                        throw StoreError(.keysUnavailable, "\(table) \(id) does not open with the current master key; nothing was rotated")
                    }
                    let rewrapped = try AtRest.wrap(dataKey, table: table, recordId: id, master: new)
                    var bindings = PostgresBindings()
                    try bindings.append(Data(rewrapped))
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
                let opened: SecretBytes
                do {
                    opened = try XChaCha20Poly1305.open([UInt8](wrapped), key: old.key, associatedData: StoreFormat.secretContext(name, Int(version)))
                } catch {
                    throw StoreError(.keysUnavailable, "the server keys do not open with the current master key; nothing was rotated")
                }
                let rewrapped = try XChaCha20Poly1305.seal(opened, key: new.key, associatedData: StoreFormat.secretContext(name, new.version))
                try await connection.query(
                    "UPDATE server_secret SET wrapped = \(Data(rewrapped)), key_version = \(Int64(new.version)) WHERE name = \(name)", logger: self.logger
                )
            }
            let context = OperationContext(principal: nil, remote: "local", requestId: "rotate-master-key", now: now)
            try await self.audit(connection, .masterKeyRotated, context: context)
            return moved
        }
    }
}
