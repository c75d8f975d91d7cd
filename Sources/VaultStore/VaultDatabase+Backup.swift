import Foundation
import GRDB

extension VaultDatabase {
    /// Copies the database to `path` with SQLite's online backup while the server keeps
    /// serving. The copy holds only ciphertext, wrapped keys, hashes and audit rows: nothing in it
    /// is readable without the master key, which it does not contain.
    package func backup(to path: String) async throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.conflict, "\(path) already exists; choose a new file")
        }
        do {
            let destination = try DatabaseQueue(path: path)
            try writer.backup(to: destination)
            try destination.close()
        } catch let error as DatabaseError {
            try? FileManager.default.removeItem(atPath: path)
            throw StoreError(.storageFailure, "the backup failed: \(Self.describe(error))")
        }
    }

    /// Whether SQLite's integrity check passes.
    package func integrityCheck() async throws -> Bool {
        try await read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok" }
    }

    /// Restores a backup into `path`, which must not exist, through SQLite's backup API (so a
    /// backup taken while serving restores consistently), then opens it.
    package static func restore(from backup: String, to path: String) throws -> VaultDatabase {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.conflict, "\(path) already exists; restore into an empty data directory")
        }
        guard FileManager.default.fileExists(atPath: backup) else {
            throw StoreError(.notFound, "no backup at \(backup)")
        }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let source = try DatabaseQueue(path: backup, configuration: configuration)
            let destination = try DatabaseQueue(path: path)
            try source.backup(to: destination)
            try destination.close()
            try source.close()
        } catch let error as DatabaseError {
            try? FileManager.default.removeItem(atPath: path)
            throw StoreError(.storageFailure, "the restore failed: \(describe(error))")
        }
        return try VaultDatabase(path: path)
    }
}
