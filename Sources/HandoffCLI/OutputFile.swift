import Foundation

/// Writes files that hold secrets: mode 0600 from the start, replaced atomically.
enum OutputFile {
    static func writePrivate(_ bytes: [UInt8], to path: String, exclusive: Bool = false) throws {
        let temporary = exclusive ? path : path + ".tmp-\(getpid())"
        let flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (exclusive ? O_EXCL : 0)
        let descriptor = open(temporary, flags, 0o600)
        guard descriptor >= 0 else {
            throw CLIError.cannotCreate(errno == EEXIST ? "\(path) already exists; move it away first" : "cannot create \(path)")
        }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced else {
            unlink(temporary)
            throw CLIError.cannotCreate("cannot write \(path)")
        }
        if !exclusive, rename(temporary, path) != 0 {
            unlink(temporary)
            throw CLIError.cannotCreate("cannot replace \(path)")
        }
    }

    /// Creates `path` as a private folder (0700) if it does not exist.
    static func makePrivateDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError.cannotCreate("cannot create the folder \(path)")
        }
    }
}
