import Foundation
import GRDB
import HandoffDomain
import VaultCrypto

extension VaultDatabase {
    /// Stores the generator's signed package for a handoff it has fetched (replacing an earlier
    /// delivery), encrypted at rest, after `PackageDeliveryRule`'s checks with the generator
    /// signing key the handoff's invite pins; the handoff becomes `delivered`. Audited `package.delivered`.
    @discardableResult
    package func storePackage(handoffId: String, zip: [UInt8], signature: String, context: OperationContext) async throws -> PackageDelivery {
        let keys = try self.keys()
        let sealed = try SealedRecord.seal(zip, table: SealedRecord.packageTable, handoffId: handoffId, master: keys.master, now: context.now)
        try await write { db in
            guard var handoff = try HandoffRecord.fetchOne(db, key: handoffId) else { throw StoreError(.notFound, "no such handoff") }
            let next = try HandoffRule.delivery(to: handoff, now: context.now)
            let signingKey = try PackageDeliveryRule.signingKey(try RecipientKeyRecord.fetchOne(db, key: handoff.recipientKeyId)?.signingPublicKey)
            let statement = try PackageDeliveryRule.verified(signature: signature, zip: zip, handoffId: handoffId, signingKey: signingKey)
            try PackageDeliveryRule.check(
                statement,
                submissionExists: try SubmissionRecord.filter(Column("id") == statement.submissionId && Column("handoffId") == handoffId).fetchCount(db) == 1,
                previous: try PackageRecord.filter(PackageRecord.Columns.handoffId == handoffId).fetchOne(db)?.signature, signingKey: signingKey
            )
            try PackageRecord.filter(PackageRecord.Columns.handoffId == handoffId).deleteAll(db)
            try PackageRecord(
                id: sealed.id, handoffId: handoffId, deliveredAt: context.now, sha256: Data(sealed.sha256), size: zip.count, signature: signature,
                ciphertext: sealed.ciphertext, wrappedKey: sealed.wrappedKey, keyVersion: sealed.keyVersion, recordKeyVersion: sealed.keyVersion
            ).insert(db)
            handoff.state = next
            if handoff.acknowledgedAt == nil { handoff.acknowledgedAt = context.now }
            try handoff.update(db)
            try self.audit(db, .packageDelivered, context: context, handoffId: handoffId)
        }
        return PackageDelivery(handoffId: handoffId, sha256: sealed.sha256, size: Int64(zip.count))
    }

    /// The delivered package of a handoff, audited `package.fetched` in the same transaction
    /// when `audited` (else read without writing: a repeat the caller counts).
    package func fetchPackage(handoffId: String, audited: Bool, context: OperationContext) async throws -> DeliveredPackage {
        let keys = try self.keys()
        let find: @Sendable (Database) throws -> PackageRecord = { db in
            guard let record = try PackageRecord.filter(PackageRecord.Columns.handoffId == handoffId).fetchOne(db) else {
                throw HandoffRule.noPackage(handoffExists: try HandoffRecord.exists(db, key: handoffId))
            }
            return record
        }
        let record = audited
            ? try await write { db -> PackageRecord in
                let record = try find(db)
                try self.audit(db, .packageFetched, context: context, handoffId: handoffId)
                return record
            }
            : try await read(find)
        let opened = try SealedRecord.open(
            table: SealedRecord.packageTable, id: record.id, handoffId: handoffId, ciphertext: record.ciphertext, wrappedKey: record.wrappedKey,
            keyVersion: record.keyVersion, recordKeyVersion: record.recordKeyVersion, master: keys.master
        )
        return DeliveredPackage(handoffId: handoffId, zip: opened.withUnsafeBytes { Array($0) }, signature: record.signature)
    }
}
