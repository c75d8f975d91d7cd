import Foundation
import HandoffDomain
import Logging
import VaultStore

/// Where a node keeps its data, in one place for every command: the data directory always holds
/// the key files (master key, TLS); the records live in its `vault.sqlite`, or, with a database
/// URL, in PostgreSQL shared by several nodes.
package enum VaultStorage {
    /// Runs `body` with the store opened for serving or an offline command: the folder checked,
    /// the schema migrated (PostgreSQL), the key files settled and the server keys opened.
    /// PostgreSQL's connection pool runs for as long as `body` does.
    package static func withStore<Result: Sendable>(
        directory: DataDirectory, databaseURL: String?, environment: [String: String], checkpointInterval: Int64 = 100,
        logger: Logger = Logger(label: "handoffd"), _ body: @Sendable (any HandoffStore) async throws -> Result
    ) async throws -> Result {
        guard let databaseURL else {
            // Closed here, not whenever the last reference goes: a task still holding the store
            // at exit would otherwise leave the write-ahead log beside the file.
            let database = try await directory.open(environment: environment, checkpointInterval: checkpointInterval)
            let result: Result
            do { result = try await body(database) } catch {
                try? database.close()
                throw error
            }
            try database.close()
            return result
        }
        try directory.checkPrivate()
        let store = try PostgresStore(url: databaseURL, logger: logger)
        return try await store.withRunning { store in
            try await store.migrate()
            let keys = try await directory.openKeys(environment: environment) { try await store.loadKeys(master: $0) }
            store.useKeys(keys, checkpointInterval: checkpointInterval)
            return try await body(store)
        }
    }

    /// `handoffd init`: the directory, its master key (unless the environment has one), and the
    /// database's server keys and bootstrap admin token; returns the server's keys.
    package static func initialize(
        directory: DataDirectory, databaseURL: String?, environment: [String: String], keyName: String, adminToken: BearerToken, now: Date
    ) async throws -> ServerKeys {
        guard let databaseURL else {
            return try await directory.initialize(environment: environment, keyName: keyName, adminToken: adminToken, now: now).keys()
        }
        let store = try PostgresStore(url: databaseURL)
        return try await directory.initializing(environment: environment) { master in
            try await store.withRunning { store in
                try await store.migrate()
                return try await store.initialize(master: master, keyName: keyName, adminToken: adminToken, now: now)
            }
        }
    }

    /// Rotates the master key (the server stopped: the directory's lock is held throughout).
    package static func rotateMasterKey(directory: DataDirectory, databaseURL: String?, environment: [String: String], now: Date) async throws -> (version: Int, dataKeys: Int) {
        guard let databaseURL else { return try await directory.rotateMasterKey(environment: environment, now: now) }
        guard !DataDirectory.masterKeyIsInEnvironment(environment) else {
            throw SettingsError("rotation writes the new key to \(directory.masterKeyPath); unset \(DataDirectory.masterKeyVariable) and keep the key in that file")
        }
        try directory.checkPrivate()
        let lock = try directory.lock(purpose: "rotating the master key")
        defer { lock.release() }
        let store = try PostgresStore(url: databaseURL)
        return try await store.withRunning { store in
            try await directory.rotateMasterKey(
                loadKeys: { try await store.loadKeys(master: $0) }, rotate: { try await store.rotateMasterKey(from: $0, to: $1, now: now) }
            )
        }
    }
}
