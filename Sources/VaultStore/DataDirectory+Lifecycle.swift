import Foundation
import HandoffDomain

/// The data directory's life: created once, restored from a backup, its master key rotated.
/// Each step leaves a store that opens with the key files it leaves behind.
extension DataDirectory {
    /// Creates the directory, its master key (unless the environment carries one), the database,
    /// the server's keys and the bootstrap admin token; returns the store, ready to serve.
    package func initialize(environment: [String: String], keyName: String, adminToken: BearerToken, now: Date) async throws -> VaultDatabase {
        try await initializing(environment: environment) { master in
            let database = try VaultDatabase(path: databasePath)
            let keys = try await database.initialize(master: master, keyName: keyName, adminToken: adminToken, now: now)
            database.useKeys(keys)
            return database
        }
    }

    /// Runs `body` (a backend's own initialisation) with the master key of a new store, prepared
    /// by `prepareMasterKey`. When `body` fails, what this init made is removed again — the
    /// `master.key` it wrote, a database file it left, the folder if it made it and it is empty
    /// — so that the same `handoffd init` can simply be run again.
    package func initializing<Result>(environment: [String: String], _ body: (MasterKey) async throws -> Result) async throws -> Result {
        let folderExisted = FileManager.default.fileExists(atPath: path)
        let keyFileExisted = FileManager.default.fileExists(atPath: masterKeyPath)
        let master = try prepareMasterKey(environment: environment)
        do {
            return try await body(master)
        } catch {
            if !keyFileExisted { try? FileManager.default.removeItem(atPath: masterKeyPath) }
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) }
            if !folderExisted, (try? FileManager.default.contentsOfDirectory(atPath: path))?.isEmpty == true {
                try? FileManager.default.removeItem(atPath: path)
            }
            throw error
        }
    }

    /// Creates the folder and its master key for a new store: the environment's key when it
    /// carries one, else a new key written to `master.key` (0600).
    package func prepareMasterKey(environment: [String: String]) throws -> MasterKey {
        try create()
        if Self.masterKeyIsInEnvironment(environment) {
            return try masterKey(environment: environment)
        }
        let master = try MasterKey.generate()
        try writeMasterKey(master)
        return master
    }

    /// Restores `backup` into this (new) directory with `master`, the key it was taken under;
    /// checks SQLite's integrity and that the server keys open, then installs `master.key`
    /// unless the environment carries the key. Returns the store, ready to serve.
    package func restore(from backup: String, master: MasterKey, environment: [String: String]) async throws -> VaultDatabase {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        chmod(path, 0o700)
        let database = try VaultDatabase.restore(from: backup, to: databasePath)
        guard try await database.integrityCheck() else {
            throw StoreError(.recordCorrupt, "the restored database fails SQLite's integrity check")
        }
        database.useKeys(try await database.loadKeys(master: master))
        if !Self.masterKeyIsInEnvironment(environment) {
            try writeMasterKey(master)
        }
        return database
    }

    /// Rotates the master key of a stopped server's directory (the lock enforces it): a new key
    /// version, every data key and server secret re-wrapped in one transaction, the old key
    /// retired. Returns the new version and how many data keys moved.
    package func rotateMasterKey(environment: [String: String], now: Date) async throws -> (version: Int, dataKeys: Int) {
        guard !Self.masterKeyIsInEnvironment(environment) else {
            throw SettingsError("rotation writes the new key to \(masterKeyPath); unset \(Self.masterKeyVariable) and keep the key in that file")
        }
        try checkPrivate()
        let lock = try lock(purpose: "rotating the master key")
        defer { lock.release() }
        let database = try VaultDatabase(path: databasePath)
        return try await rotateMasterKey(
            loadKeys: { try await database.loadKeys(master: $0) }, rotate: { try await database.rotateMasterKey(from: $0, to: $1, now: now) }
        )
    }

    /// The rotation's key-file steps around a store's own re-wrapping (`rotate(old, new)`, one
    /// transaction): the new key written first, promoted after, recovered at the next start.
    /// The caller holds the directory's lock and has checked the environment.
    package func rotateMasterKey(
        loadKeys: (MasterKey) async throws -> ServerKeys, rotate: (MasterKey, MasterKey) async throws -> Int
    ) async throws -> (version: Int, dataKeys: Int) {
        try await MasterKeyFiles(self).rotate(loadKeys: loadKeys, rotate: rotate)
    }
}
