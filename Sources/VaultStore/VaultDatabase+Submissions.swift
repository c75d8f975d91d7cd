import Foundation
import GRDB
import HandoffDomain
import VaultCrypto

/// What the server answers a customer's upload with.
public struct StoredSubmission: Sendable {
    public let submissionId: String
    public let receivedAt: Date
    public let auditIndex: Int64
    /// The signed receipt note.
    public let receipt: String
}

/// What the generator fetches: the sealed box exactly as the customer sealed it.
public struct ReleasedSubmission: Sendable {
    public let submissionId: String
    public let sealed: [UInt8]
    public let recipientKeyId: String
    public let receivedAt: Date
}

extension VaultDatabase {
    /// Stores a sealed box for a handoff: encrypted at rest, with its audit event and signed
    /// receipt, in one transaction (shared with concurrent submissions: group commit). The
    /// receipt is returned only after that transaction committed.
    /// At most `limit` submissions are kept per handoff (a leaked invite cannot fill the disk).
    public func storeSubmission(
        handoffId: String, sealed: [UInt8], recipientKeyId: String, limit: Int = 100, keys: ServerKeys, context: OperationContext
    ) async throws -> StoredSubmission {
        let submissionId = UUID().uuidString.lowercased()
        let digest = try SHA256.hash(sealed)
        let (ciphertext, wrapped) = try AtRest.seal(sealed, table: SubmissionRecord.databaseTableName, recordId: submissionId, handoffId: handoffId, master: keys.master)
        return try await writeGrouped { db in
            guard var handoff = try HandoffRecord.fetchOne(db, key: handoffId) else {
                throw StoreError(.notFound, "no such handoff")
            }
            guard handoff.acceptsCustomer(at: context.now) else {
                throw StoreError(.conflict, "this handoff no longer accepts submissions (it is \(handoff.effectiveState(at: context.now).rawValue))")
            }
            let stored = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM submission WHERE handoffId = ?", arguments: [handoffId]) ?? 0
            guard stored < limit else {
                throw StoreError(.limitReached, "this handoff holds \(stored) submissions, the most it keeps; ask the operator to revoke it and send a new invite")
            }
            guard handoff.recipientKeyId == recipientKeyId else {
                throw StoreError(.recipientMismatch, "the values were sealed to another key than this handoff's generator key")
            }
            let index = try self.audit(db, .submissionReceived, context: context, handoffId: handoffId, submissionId: submissionId)
            let receipt = try Receipt(
                handoffId: handoffId, submissionId: submissionId, sealedSHA256: digest,
                receivedAt: Timestamp.string(context.now), auditIndex: index
            ).signed(keyName: keys.keyName, with: keys.signing)
            try SubmissionRecord(
                id: submissionId, handoffId: handoffId, recipientKeyId: recipientKeyId, receivedAt: context.now,
                auditIndex: index, sealedSHA256: Data(digest), ciphertext: Data(ciphertext), wrappedKey: Data(wrapped),
                keyVersion: keys.master.version, recordKeyVersion: keys.master.version, receipt: receipt
            ).insert(db)
            handoff.state = .submitted
            try handoff.update(db)
            return StoredSubmission(submissionId: submissionId, receivedAt: context.now, auditIndex: index, receipt: receipt)
        }
    }

    /// Releases the latest submission of a handoff to the generator, audited in the same
    /// transaction: no audit row, no release.
    public func releaseLatest(handoffId: String, keys: ServerKeys, context: OperationContext) async throws -> ReleasedSubmission {
        let record = try await write { db -> SubmissionRecord in
            guard var handoff = try HandoffRecord.fetchOne(db, key: handoffId) else {
                throw StoreError(.notFound, "no such handoff")
            }
            let state = handoff.effectiveState(at: context.now)
            guard state == .submitted || state == .released || state == .acknowledged || state == .delivered,
                  // The audit index orders submissions exactly (receive times can tie within a second).
                  let latest = try SubmissionRecord.filter(SubmissionRecord.Columns.handoffId == handoffId)
                      .order(Column("auditIndex").desc).fetchOne(db)
            else {
                throw StoreError(.conflict, "this handoff has no submission to release (it is \(state.rawValue))")
            }
            try self.audit(db, .submissionReleased, context: context, handoffId: handoffId, submissionId: latest.id)
            if state == .submitted {
                handoff.state = .released
                handoff.releasedAt = context.now
                try handoff.update(db)
            }
            return latest
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
        return ReleasedSubmission(
            submissionId: record.id, sealed: opened.withUnsafeBytes { Array($0) },
            recipientKeyId: record.recipientKeyId, receivedAt: record.receivedAt
        )
    }
}
