import Foundation
import GRDB
import HandoffDomain
import VaultCrypto

extension VaultDatabase {
    /// Re-wraps every data key and the server's own secrets from `old` to `new` in one
    /// transaction; the records themselves are not touched. Returns how many data keys moved.
    /// Run it with the server stopped: a running server still holds the old key.
    package func rotateMasterKey(from old: MasterKey, to new: MasterKey, now: Date) async throws -> Int {
        try RotationRule.check(from: old, to: new)
        return try await write { db in
            let moved = try Self.rewrap(SubmissionRecord.fetchAll(db), in: db, from: old, to: new)
                + Self.rewrap(PackageRecord.fetchAll(db), in: db, from: old, to: new)
            for var secret in try ServerSecretRecord.fetchAll(db) {
                secret.wrapped = try RotationRule.rewrapSecret(secret.wrapped, name: secret.name, keyVersion: secret.keyVersion, from: old, to: new)
                secret.keyVersion = new.version
                try secret.update(db)
            }
            try self.audit(db, .masterKeyRotated, context: RotationRule.context(now: now))
            return moved
        }
    }

    /// Re-wraps each record's data key from `old` to `new`; returns how many.
    private static func rewrap<Record: WrappedAtRest>(_ records: [Record], in db: Database, from old: MasterKey, to new: MasterKey) throws -> Int {
        for var record in records {
            record.wrappedKey = try RotationRule.rewrapDataKey(
                record.wrappedKey, table: Record.databaseTableName, recordId: record.id, keyVersion: record.keyVersion, from: old, to: new
            )
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
