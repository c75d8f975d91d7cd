import Foundation

/// The master key's files and their life through a rotation, in one place: `master.key` (the key
/// the database opens with), `master.key.next` (a rotation's new key, written before its
/// transaction commits) and `master.key.prev` (the old key, kept until the database is confirmed
/// to open with the new one). Each step is followed by an fsync of the folder, so a power cut
/// never leaves the directory naming a key the database cannot use, and no key file is deleted
/// while the database might still need it: whichever file opens the database is settled as
/// `master.key` at the next start.
struct MasterKeyFiles {
    let directory: DataDirectory

    init(_ directory: DataDirectory) { self.directory = directory }

    var current: String { directory.masterKeyPath }
    var next: String { current + ".next" }
    var previous: String { current + ".prev" }

    /// Rotates the master key of a stopped server's data directory; returns the new key's version
    /// and how many data keys were re-wrapped.
    func rotate(
        loadKeys: (MasterKey) async throws -> ServerKeys, rotate: (MasterKey, MasterKey) async throws -> Int
    ) async throws -> (version: Int, dataKeys: Int) {
        guard !FileManager.default.fileExists(atPath: next), !FileManager.default.fileExists(atPath: previous) else {
            throw SettingsError("\(next) or \(previous) exists: an earlier rotation did not finish; start handoffd once to complete it")
        }
        let old = try Self.read(current)
        let new = try old.successor()
        try DataDirectory.createPrivateFile(next, contents: new.fileText())
        try syncFolder()
        let moved: Int
        do {
            moved = try await rotate(old, new)
        } catch {
            // A COMMIT that reported an error may still be durable: only a database that still
            // opens with the old key proves the new one is not needed.
            if (try? await loadKeys(old)) != nil {
                unlink(next)
                try? syncFolder()
            }
            throw error
        }
        try promote(key: new)
        return (new.version, moved)
    }

    /// The server keys, settling the key files first: an interrupted rotation is finished (or its
    /// leftover new key dropped) according to which key the database opens with.
    func openKeys(environment: [String: String], loadKeys: (MasterKey) async throws -> ServerKeys) async throws -> ServerKeys {
        if DataDirectory.masterKeyIsInEnvironment(environment) {
            return try await loadKeys(try directory.masterKey(environment: environment))
        }
        let candidates = [current, next, previous]
        var firstError: (any Error)?
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            do {
                let key = try Self.read(path)
                let keys = try await loadKeys(key)
                if path != current || candidates.dropFirst().contains(where: { FileManager.default.fileExists(atPath: $0) }) {
                    try promote(key: key, from: path)
                }
                return keys
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        throw firstError ?? SettingsError("\(current) does not exist; run handoffd init --data-dir first")
    }

    /// Makes `key` (held in `source`, by default `master.key.next`) the one `master.key`: the
    /// current file becomes `master.key.prev`, the new one moves in, and `.prev` and any other
    /// leftover go only once the database is confirmed to open with `master.key`.
    func promote(key: MasterKey, from source: String? = nil) throws {
        let source = source ?? next
        if source != current {
            if FileManager.default.fileExists(atPath: current) {
                unlink(previous)
                guard rename(current, previous) == 0 else { throw SettingsError("cannot move \(current) to \(previous)") }
                try syncFolder()
            }
            guard rename(source, current) == 0 else {
                throw SettingsError("the database uses the key in \(source), but it could not be moved to \(current); move it by hand before starting")
            }
            try syncFolder()
        }
        guard let confirmed = try? Self.read(current), confirmed.version == key.version else {
            throw SettingsError("\(current) does not hold the key the database uses; the old key is kept in \(previous)")
        }
        for leftover in [next, previous] { unlink(leftover) }
        try syncFolder()
    }

    /// A master key file: private to its owner, base64 of 32 bytes.
    static func read(_ path: String) throws -> MasterKey {
        try DataDirectory.checkPrivate(path, what: "the master key file")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let key = try? MasterKey(text: text) else {
            throw SettingsError("\(path) does not hold base64 of 32 bytes")
        }
        return key
    }

    /// Makes renames and creations in the data directory durable.
    func syncFolder() throws {
        let folder = directory.path
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SettingsError("cannot open \(folder) to sync it") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw SettingsError("cannot sync \(folder)") }
    }
}
