import Foundation
import GRDB
import HandoffDomain
import VaultCrypto

extension VaultDatabase {
    /// Stores a sealed box for a handoff: encrypted at rest, with its audit event and signed
    /// receipt, in one transaction (shared with concurrent submissions: group commit). The
    /// receipt is returned only after that transaction committed.
    /// At most `limit` submissions are kept per handoff (a leaked invite cannot fill the disk).
    package func storeSubmission(
        handoffId: String, sealed: [UInt8], recipientKeyId: String, limit: Int = 100, context: OperationContext
    ) async throws -> SubmissionReceipt {
        let keys = try self.keys()
        let submissionId = UUID().uuidString.lowercased()
        let digest = try SHA256.hash(sealed)
        let (ciphertext, wrapped) = try AtRest.seal(sealed, table: SubmissionRecord.databaseTableName, recordId: submissionId, handoffId: handoffId, master: keys.master)
        return try await writeGrouped { db in
            guard let handoff = try HandoffRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM handoff WHERE id = ?"), arguments: [handoffId]) else {
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
            let index = try self.audit(db, .submissionReceived, context: context, handoffId: handoffId, submissionId: submissionId)
            let receipt = try Receipt(
                handoffId: handoffId, submissionId: submissionId, sealedSHA256: digest,
                receivedAt: Timestamp.string(context.now), auditIndex: index
            ).signed(keyName: keys.keyName, with: keys.signing)
            // Prepared once per connection, with plain arguments: the Codable record encoding
            // cost more than the insert itself on this path.
            try db.cachedStatement(sql: """
                INSERT INTO submission (id, handoffId, recipientKeyId, receivedAt, auditIndex, sealedSHA256, ciphertext,
                                        wrappedKey, keyVersion, recordKeyVersion, receipt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    submissionId, handoffId, recipientKeyId, context.now, index, Data(digest), Data(ciphertext),
                    Data(wrapped), keys.master.version, keys.master.version, receipt,
                ])
            try db.cachedStatement(sql: "UPDATE handoff SET state = ?, submissionCount = submissionCount + 1 WHERE id = ?")
                .execute(arguments: [HandoffState.submitted.rawValue, handoffId])
            return SubmissionReceipt(handoffId: handoffId, submissionId: submissionId, receivedAt: context.now, auditIndex: index, receipt: receipt)
        }
    }

    /// Releases the latest submission of a handoff to the generator, audited in the same
    /// transaction (shared with concurrent releases and submissions: group commit): no audit row,
    /// no release. A repeat — the latest submission was released before, and `auditRepeat` is
    /// false — appends nothing (the caller counts it for an aggregated event); `audited` says
    /// which it was.
    package func releaseLatest(handoffId: String, auditRepeat: Bool, context: OperationContext) async throws -> (released: ReleasedSubmission, audited: Bool) {
        let keys = try self.keys()
        // One grouped transaction either way (group commit shares it with concurrent releases and
        // submissions); a repeat appends nothing to the log.
        let (record, audited) = try await writeGrouped { db -> (SubmissionRecord, Bool) in
            let (state, latest) = try Self.releasable(db, handoffId: handoffId, now: context.now)
            if !auditRepeat, state.hasReleasedLatest { return (latest, false) }
            try self.audit(db, .submissionReleased, context: context, handoffId: handoffId, submissionId: latest.id)
            if state == .submitted {
                try db.cachedStatement(sql: "UPDATE handoff SET state = ?, releasedAt = ? WHERE id = ?")
                    .execute(arguments: [HandoffState.released.rawValue, context.now, handoffId])
            }
            return (latest, true)
        }
        let opened: SecretBytes
        do {
            opened = try AtRest.open(
                [UInt8](record.ciphertext), wrappedKey: [UInt8](record.wrappedKey), table: SubmissionRecord.databaseTableName,
                recordId: record.id, handoffId: handoffId, recordKeyVersion: record.recordKeyVersion,
                keyVersion: record.keyVersion, master: keys.master
            )
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.recordCorrupt, "submission \(record.id) does not decrypt: it was changed or moved in the database")
        }
        let released = ReleasedSubmission(
            submissionId: record.id, sealed: opened.withUnsafeBytes { Array($0) },
            recipientKeyId: record.recipientKeyId, receivedAt: record.receivedAt
        )
        return (released, audited)
    }

    /// The handoff's effective state and its latest submission, or why there is none to release.
    private static func releasable(_ db: Database, handoffId: String, now: Date) throws -> (HandoffState, SubmissionRecord) {
        guard let handoff = try HandoffRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM handoff WHERE id = ?"), arguments: [handoffId]) else {
            throw StoreError(.notFound, "no such handoff")
        }
        let state = handoff.effectiveState(at: now)
        guard state.hasSubmission,
              // The audit index orders submissions exactly (receive times can tie within a second).
              let latest = try SubmissionRecord.fetchOne(
                  db.cachedStatement(sql: "SELECT * FROM submission WHERE handoffId = ? ORDER BY auditIndex DESC LIMIT 1"), arguments: [handoffId]
              )
        else {
            throw StoreError(.conflict, "this handoff has no submission to release (it is \(state.rawValue))")
        }
        return (state, latest)
    }
}
