import Foundation
import GRDB
import HandoffDomain
import VaultCrypto

extension VaultDatabase {
    /// Re-wraps every data key and the server's own secrets from `old` to `new` in one
    /// transaction; the records themselves are not touched. Returns how many data keys moved.
    /// Run it with the server stopped: a running server still holds the old key.
    package func rotateMasterKey(from old: MasterKey, to new: MasterKey, now: Date) async throws -> Int {
        guard new.version > old.version else {
            throw StoreError(.conflict, "the new master key must have a higher version")
        }
        return try await write { db in
            let moved = try Self.rewrap(SubmissionRecord.fetchAll(db), in: db, from: old, to: new)
                + Self.rewrap(PackageRecord.fetchAll(db), in: db, from: old, to: new)
            for var secret in try ServerSecretRecord.fetchAll(db) {
                let opened: SecretBytes
                do {
                    opened = try XChaCha20Poly1305.open([UInt8](secret.wrapped), key: old.key, associatedData: StoreFormat.secretContext(secret.name, secret.keyVersion))
                } catch {
                    throw StoreError(.keysUnavailable, "the server keys do not open with the current master key; nothing was rotated")
                }
                secret.wrapped = Data(try XChaCha20Poly1305.seal(opened, key: new.key, associatedData: StoreFormat.secretContext(secret.name, new.version)))
                secret.keyVersion = new.version
                try secret.update(db)
            }
            let context = OperationContext(principal: nil, remote: "local", requestId: "rotate-master-key", now: now)
            try self.audit(db, .masterKeyRotated, context: context)
            return moved
        }
    }

    /// Re-wraps each record's data key from `old` to `new`; returns how many.
    private static func rewrap<Record: WrappedAtRest>(_ records: [Record], in db: Database, from old: MasterKey, to new: MasterKey) throws -> Int {
        for var record in records {
            let dataKey: SecretBytes
            do {
                dataKey = try AtRest.unwrap(
                    [UInt8](record.wrappedKey), table: Record.databaseTableName, recordId: record.id, keyVersion: record.keyVersion, master: old
                )
            } catch {
                throw StoreError(.keysUnavailable, "\(Record.databaseTableName) \(record.id) does not open with the current master key; nothing was rotated")
            }
            record.wrappedKey = Data(try AtRest.wrap(dataKey, table: Record.databaseTableName, recordId: record.id, master: new))
            record.keyVersion = new.version
            try record.update(db)
        }
        return records.count
    }
}

/// A row whose data key is wrapped by the master key (submissions, packages).
protocol WrappedAtRest: PersistableRecord {
    var id: String { get }
    var wrappedKey: Data { get set }
    var keyVersion: Int { get set }
}

extension SubmissionRecord: WrappedAtRest {}
extension PackageRecord: WrappedAtRest {}
