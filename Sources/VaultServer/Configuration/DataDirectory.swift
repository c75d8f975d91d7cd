import Foundation
import VaultStore

/// The data directory's files and the rules for their permissions: the folder 0700, the master
/// key 0600, nothing readable by group or others.
public enum DataDirectory {
    /// Refuses to go on when `path` can be read, written or entered by group or others.
    public static func checkPrivate(_ path: String, what: String) throws {
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
    public static func masterKey(settings: ServerSettings, environment: [String: String]) throws -> MasterKey {
        if let text = environment["HANDOFF_MASTER_KEY"] {
            do { return try MasterKey(text: text) } catch { throw SettingsError("HANDOFF_MASTER_KEY is not base64 of 32 bytes") }
        }
        try checkPrivate(settings.masterKeyPath, what: "the master key file")
        guard let text = try? String(contentsOfFile: settings.masterKeyPath, encoding: .utf8) else {
            throw SettingsError("cannot read \(settings.masterKeyPath)")
        }
        do { return try MasterKey(text: text) } catch { throw SettingsError("\(settings.masterKeyPath) does not hold base64 of 32 bytes") }
    }

    /// Holds an exclusive lock on `DIR/serve.lock` while the returned descriptor is open: one
    /// `handoffd serve` per data directory, and no key rotation under a running server.
    public static func lock(_ settings: ServerSettings, purpose: String) throws -> Int32 {
        let descriptor = open("\(settings.dataDir)/serve.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SettingsError("cannot open \(settings.dataDir)/serve.lock") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw SettingsError("another handoffd is using \(settings.dataDir); stop it before \(purpose)")
        }
        return descriptor
    }

    /// Creates a file that did not exist, with `mode`, and writes `text` to it.
    public static func createPrivateFile(_ path: String, contents text: String, mode: mode_t = 0o600) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw SettingsError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var bytes = Array(text.utf8)
        defer { for index in bytes.indices { bytes[index] = 0 } }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else { throw SettingsError("cannot write \(path)") }
    }
}
