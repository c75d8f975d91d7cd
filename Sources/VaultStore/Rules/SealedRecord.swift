import Foundation
import HandoffDomain
import VaultCrypto

/// A submission or package as every backend stores it: encrypted under its own data key, the data
/// key wrapped by the master key, the associated data binding table, record, handoff and key
/// version (`AtRest`). The table names are part of that associated data, so they are defined here.
package struct SealedRecord: Sendable {
    /// The table of submissions and of packages (in the associated data: never rename).
    package static let submissionTable = "submission"
    package static let packageTable = "package"

    package let id: String
    package let ciphertext: Data
    package let wrappedKey: Data
    /// The SHA-256 of the plaintext.
    package let sha256: [UInt8]
    /// The master key version that wraps it (and that its associated data names).
    package let keyVersion: Int

    /// Seals `bytes` for a new record of `table` in handoff `handoffId`, made at `now` (its id is
    /// time-ordered: `RecordId`).
    package static func seal(_ bytes: [UInt8], table: String, handoffId: String, master: MasterKey, now: Date) throws -> SealedRecord {
        let id = try RecordId.make(now: now)
        let (ciphertext, wrapped) = try AtRest.seal(bytes, table: table, recordId: id, handoffId: handoffId, master: master)
        return SealedRecord(id: id, ciphertext: Data(ciphertext), wrappedKey: Data(wrapped), sha256: try SHA256.hash(bytes), keyVersion: master.version)
    }

    /// Opens a stored record; one that does not open was changed or moved in the database
    /// (`recordCorrupt`), one wrapped under another master key version is `keysUnavailable`.
    package static func open(
        table: String, id: String, handoffId: String, ciphertext: Data, wrappedKey: Data, keyVersion: Int, recordKeyVersion: Int, master: MasterKey
    ) throws -> SecretBytes {
        do {
            return try AtRest.open(
                [UInt8](ciphertext), wrappedKey: [UInt8](wrappedKey), table: table, recordId: id, handoffId: handoffId,
                recordKeyVersion: recordKeyVersion, keyVersion: keyVersion, master: master
            )
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.recordCorrupt, "\(table) \(id) does not decrypt: it was changed or moved in the database")
        }
    }
}

extension SealedRecord {
    /// The signed receipt of this record as submission `index` of the log, received at `now`.
    package func receipt(handoffId: String, auditIndex index: Int64, now: Date, keys: ServerKeys) throws -> SubmissionReceipt {
        let note = try Receipt(
            handoffId: handoffId, submissionId: id, sealedSHA256: sha256, receivedAt: Timestamp.string(now), auditIndex: index
        ).signed(keyName: keys.keyName, with: keys.signing)
        return SubmissionReceipt(handoffId: handoffId, submissionId: id, receivedAt: now, auditIndex: index, receipt: note)
    }
}
