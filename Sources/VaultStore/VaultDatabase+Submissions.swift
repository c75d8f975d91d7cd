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
        let sealedRecord = try SealedRecord.seal(sealed, table: SealedRecord.submissionTable, handoffId: handoffId, master: keys.master, now: context.now)
        return try await writeGrouped { db in
            let handoff = try HandoffRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM handoff WHERE id = ?"), arguments: [handoffId])
            let next = try HandoffRule.submission(to: handoff, recipientKeyId: recipientKeyId, limit: limit, now: context.now)
            let index = try self.audit(db, .submissionReceived, context: context, handoffId: handoffId, submissionId: sealedRecord.id)
            let receipt = try sealedRecord.receipt(handoffId: handoffId, auditIndex: index, now: context.now, keys: keys)
            // Prepared once per connection, with plain arguments: the Codable record encoding
            // cost more than the insert itself on this path.
            try db.cachedStatement(sql: """
                INSERT INTO submission (id, handoffId, recipientKeyId, receivedAt, auditIndex, sealedSHA256, ciphertext,
                                        wrappedKey, keyVersion, recordKeyVersion, receipt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    sealedRecord.id, handoffId, recipientKeyId, context.now, index, Data(sealedRecord.sha256), sealedRecord.ciphertext,
                    sealedRecord.wrappedKey, sealedRecord.keyVersion, sealedRecord.keyVersion, receipt.receipt,
                ])
            try db.cachedStatement(sql: "UPDATE handoff SET state = ?, submissionCount = submissionCount + 1 WHERE id = ?")
                .execute(arguments: [next.rawValue, handoffId])
            return receipt
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
            let release = HandoffRule.release(from: state, auditRepeat: auditRepeat)
            guard release.audited else { return (latest, false) }
            try self.audit(db, .submissionReleased, context: context, handoffId: handoffId, submissionId: latest.id)
            if let next = release.newState {
                try db.cachedStatement(sql: "UPDATE handoff SET state = ?, releasedAt = ? WHERE id = ?")
                    .execute(arguments: [next.rawValue, context.now, handoffId])
            }
            return (latest, true)
        }
        let opened = try SealedRecord.open(
            table: SealedRecord.submissionTable, id: record.id, handoffId: handoffId, ciphertext: record.ciphertext, wrappedKey: record.wrappedKey,
            keyVersion: record.keyVersion, recordKeyVersion: record.recordKeyVersion, master: keys.master
        )
        let released = ReleasedSubmission(
            submissionId: record.id, sealed: opened.withUnsafeBytes { Array($0) },
            recipientKeyId: record.recipientKeyId, receivedAt: record.receivedAt
        )
        return (released, audited)
    }

    /// The handoff's effective state and its latest submission, or why there is none to release.
    private static func releasable(_ db: Database, handoffId: String, now: Date) throws -> (HandoffState, SubmissionRecord) {
        let handoff = try HandoffRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM handoff WHERE id = ?"), arguments: [handoffId])
        let state = try HandoffRule.releasable(handoff, now: now)
        // The audit index orders submissions exactly (receive times can tie within a second).
        guard let latest = try SubmissionRecord.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM submission WHERE handoffId = ? ORDER BY auditIndex DESC LIMIT 1"), arguments: [handoffId]
        ) else { throw HandoffRule.nothingToRelease(state) }
        return (state, latest)
    }
}
