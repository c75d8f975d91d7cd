import Foundation
import GRDB
import HandoffDomain
import VaultCrypto

extension VaultDatabase {
    /// Re-wraps every data key and the server's own secrets from `old` to `new` in one
    /// transaction; the records themselves are not touched. Returns how many data keys moved.
    /// Run it with the server stopped: a running server still holds the old key.
    public func rotateMasterKey(from old: MasterKey, to new: MasterKey, now: Date) async throws -> Int {
        guard new.version > old.version else {
            throw StoreError(.conflict, "the new master key must have a higher version")
        }
        return try await write { db in
            let table = SubmissionRecord.databaseTableName
            var moved = 0
            for var record in try SubmissionRecord.fetchAll(db) {
                let dataKey: SecretBytes
                do {
                    dataKey = try AtRest.unwrap([UInt8](record.wrappedKey), table: table, recordId: record.id, keyVersion: record.keyVersion, master: old)
                } catch {
                    throw StoreError(.keysUnavailable, "submission \(record.id) does not open with the current master key; nothing was rotated")
                }
                record.wrappedKey = Data(try AtRest.wrap(dataKey, table: table, recordId: record.id, master: new))
                record.keyVersion = new.version
                try record.update(db)
                moved += 1
            }
            for var secret in try ServerSecretRecord.fetchAll(db) {
                let opened: SecretBytes
                do {
                    opened = try XChaCha20Poly1305.open([UInt8](secret.wrapped), key: old.key, associatedData: Self.secretContext(secret.name, secret.keyVersion))
                } catch {
                    throw StoreError(.keysUnavailable, "the server keys do not open with the current master key; nothing was rotated")
                }
                secret.wrapped = Data(try XChaCha20Poly1305.seal(opened, key: new.key, associatedData: Self.secretContext(secret.name, new.version)))
                secret.keyVersion = new.version
                try secret.update(db)
            }
            let context = OperationContext(principal: nil, remote: "local", requestId: "rotate-master-key", now: now)
            try self.audit(db, .masterKeyRotated, context: context)
            return moved
        }
    }
}
