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
        let packageId = UUID().uuidString.lowercased()
        let digest = try SHA256.hash(zip)
        let (ciphertext, wrapped) = try AtRest.seal(zip, table: PackageRecord.databaseTableName, recordId: packageId, handoffId: handoffId, master: keys.master)
        try await write { db in
            guard var handoff = try HandoffRecord.fetchOne(db, key: handoffId) else {
                throw StoreError(.notFound, "no such handoff")
            }
            let state = handoff.effectiveState(at: context.now)
            guard state.acceptsPackage else {
                throw StoreError(.conflict, "a package is delivered after the values were fetched (the handoff is \(state.rawValue))")
            }
            guard let recipient = try RecipientKeyRecord.fetchOne(db, key: handoff.recipientKeyId),
                  let signingBytes = recipient.signingPublicKey, let signingKey = try? SigningPublicKey(bytes: [UInt8](signingBytes))
            else {
                throw StoreError(.conflict, "this handoff's generator key was registered without a signing key; register generator.pub from handoff keys generate and send a new invite")
            }
            let statement = try PackageDeliveryRule.verified(signature: signature, zip: zip, handoffId: handoffId, signingKey: signingKey)
            try PackageDeliveryRule.check(
                statement,
                submissionExists: try SubmissionRecord.filter(Column("id") == statement.submissionId && Column("handoffId") == handoffId).fetchCount(db) == 1,
                previous: try PackageRecord.filter(PackageRecord.Columns.handoffId == handoffId).fetchOne(db)?.signature, signingKey: signingKey
            )
            try PackageRecord.filter(PackageRecord.Columns.handoffId == handoffId).deleteAll(db)
            try PackageRecord(
                id: packageId, handoffId: handoffId, deliveredAt: context.now, sha256: Data(digest), size: zip.count, signature: signature,
                ciphertext: Data(ciphertext), wrappedKey: Data(wrapped), keyVersion: keys.master.version, recordKeyVersion: keys.master.version
            ).insert(db)
            handoff.state = .delivered
            if handoff.acknowledgedAt == nil { handoff.acknowledgedAt = context.now }
            try handoff.update(db)
            try self.audit(db, .packageDelivered, context: context, handoffId: handoffId)
        }
        return PackageDelivery(handoffId: handoffId, sha256: digest, size: Int64(zip.count))
    }

    /// The delivered package of a handoff, audited `package.fetched` in the same transaction
    /// when `audited` (else read without writing: a repeat the caller counts).
    package func fetchPackage(handoffId: String, audited: Bool, context: OperationContext) async throws -> DeliveredPackage {
        let keys = try self.keys()
        let find: @Sendable (Database) throws -> PackageRecord = { db in
            guard let record = try PackageRecord.filter(PackageRecord.Columns.handoffId == handoffId).fetchOne(db) else {
                throw StoreError(.notFound, "no package has been delivered for this handoff yet")
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
        let opened: SecretBytes
        do {
            opened = try AtRest.open(
                [UInt8](record.ciphertext), wrappedKey: [UInt8](record.wrappedKey), table: PackageRecord.databaseTableName,
                recordId: record.id, handoffId: handoffId, recordKeyVersion: record.recordKeyVersion, keyVersion: record.keyVersion, master: keys.master
            )
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.recordCorrupt, "package \(record.id) does not decrypt: it was changed or moved in the database")
        }
        return DeliveredPackage(handoffId: handoffId, zip: opened.withUnsafeBytes { Array($0) }, signature: record.signature)
    }
}
