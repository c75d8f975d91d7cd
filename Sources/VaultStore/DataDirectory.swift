import Foundation
import Synchronization

/// A server's data directory, the one owner of its files and their rules: the folder 0700,
/// `vault.sqlite`, the master key (`master.key`, or `HANDOFF_MASTER_KEY` in the environment), the
/// `serve.lock` that keeps one process at a time on it, and nothing readable by group or others.
/// `open(...)` is the entry point every command goes through to get a store.
package struct DataDirectory: Sendable, Equatable {
    /// The environment variable that carries the master key instead of `master.key`.
    package static let masterKeyVariable = "HANDOFF_MASTER_KEY"

    /// The folder.
    package let path: String

    /// A data directory at `path` (not checked until it is used).
    package init(_ path: String) { self.path = path }

    package var databasePath: String { "\(path)/vault.sqlite" }
    package var masterKeyPath: String { "\(path)/master.key" }
    var lockPath: String { "\(path)/serve.lock" }

    /// Whether the master key comes from the environment rather than `master.key`.
    package static func masterKeyIsInEnvironment(_ environment: [String: String]) -> Bool {
        environment[masterKeyVariable] != nil
    }

    /// Where the master key comes from, for `handoffd config check` (never its value).
    package func masterKeySource(environment: [String: String]) -> String {
        Self.masterKeyIsInEnvironment(environment) ? "\(Self.masterKeyVariable) (set, value masked)" : masterKeyPath
    }

    /// Refuses to go on unless the folder exists and is private to its owner.
    package func checkPrivate() throws {
        try Self.checkPrivate(path, what: "the data directory")
    }

    /// Refuses to go on when `path` can be read, written or entered by group or others.
    static func checkPrivate(_ path: String, what: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw SettingsError("\(what) \(path) does not exist; run handoffd init --data-dir first")
        }
        guard info.st_mode & 0o077 == 0 else {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw SettingsError("\(what) \(path) has mode \(mode), open to group or others; run chmod go-rwx \(path)")
        }
    }

    /// The master key: `HANDOFF_MASTER_KEY` when set, else the key file (which must be private).
    package func masterKey(environment: [String: String]) throws -> MasterKey {
        if let text = environment[Self.masterKeyVariable] {
            do { return try MasterKey(text: text) } catch { throw SettingsError("\(Self.masterKeyVariable) is not base64 of 32 bytes") }
        }
        return try MasterKeyFiles.read(masterKeyPath)
    }

    /// Holds an exclusive lock on `DIR/serve.lock` until the returned lock is released: one
    /// `handoffd serve` per data directory, and no key rotation under a running server.
    package func lock(purpose: String) throws -> DirectoryLock {
        let descriptor = Foundation.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SettingsError("cannot open \(lockPath)") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw SettingsError("another handoffd is using \(path); stop it before \(purpose)")
        }
        return DirectoryLock(descriptor: descriptor)
    }

    /// Creates the folder (0700) for `handoffd init`; refuses one that already holds a database.
    package func create() throws {
        if FileManager.default.fileExists(atPath: databasePath) {
            throw SettingsError("\(path) is already initialised (it holds vault.sqlite)")
        }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        chmod(path, 0o700)
    }

    /// Writes a new master key file (0600) that must not exist yet.
    package func writeMasterKey(_ key: MasterKey) throws {
        try Self.createPrivateFile(masterKeyPath, contents: key.fileText())
    }

    /// Creates a file that did not exist, with `mode`, and writes `text` to it.
    static func createPrivateFile(_ path: String, contents text: String, mode: mode_t = 0o600) throws {
        let descriptor = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw SettingsError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var bytes = Array(text.utf8)
        defer { for index in bytes.indices { bytes[index] = 0 } }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else { throw SettingsError("cannot write \(path)") }
    }

    /// The database without its keys, for the offline commands that need none (purge, backup).
    package func openDatabase() throws -> VaultDatabase {
        try checkPrivate()
        return try VaultDatabase(path: databasePath)
    }

    /// The server keys, opened by `loadKeys` (the store's own reading of its wrapped secrets) with
    /// the master key, after settling the key files: an interrupted rotation is finished or
    /// rolled back according to which key the store opens with. Every backend goes through it.
    package func openKeys(environment: [String: String], loadKeys: (MasterKey) async throws -> ServerKeys) async throws -> ServerKeys {
        try await MasterKeyFiles(self).openKeys(environment: environment, loadKeys: loadKeys)
    }

    /// The store, ready to serve: the folder checked, the key files settled (an interrupted
    /// rotation finished or rolled back), the server keys opened with the master key, and
    /// checkpoints signed every `checkpointInterval` events.
    package func open(environment: [String: String], checkpointInterval: Int64 = 100) async throws -> VaultDatabase {
        let database = try openDatabase()
        let keys = try await openKeys(environment: environment) { try await database.loadKeys(master: $0) }
        database.useKeys(keys, checkpointInterval: checkpointInterval)
        return database
    }
}

/// The data directory's `serve.lock`, held until `release()`, until it is dropped, or until the
/// process ends.
package final class DirectoryLock: Sendable {
    private let descriptor: Mutex<Int32>

    init(descriptor: Int32) { self.descriptor = Mutex(descriptor) }

    deinit { release() }

    /// Lets another process take the directory (once; later calls do nothing).
    package func release() {
        descriptor.withLock { descriptor in
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
        }
    }
}
