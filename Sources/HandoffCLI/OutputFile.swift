import Foundation
import CoreFoundation  // struct stat: Swift attributes it to CoreFoundation on Linux (MemberImportVisibility)
import VaultCrypto

/// Writes files that hold secrets: mode 0600 from the start, into folders only their owner can
/// write, replaced atomically and durably.
enum OutputFile {
    /// Writes `bytes` to `path`: into a new file under an unpredictable name in the same folder
    /// (`O_CREAT|O_EXCL|O_NOFOLLOW`, so nobody can have planted it or a link in its place), synced,
    /// then renamed over `path` and the folder synced. With `exclusive`, `path` must not exist yet.
    static func writePrivate(_ bytes: [UInt8], to path: String, exclusive: Bool = false) throws {
        let folder = (path as NSString).deletingLastPathComponent
        guard let random = try? RandomBytes.generate(count: 12) else { throw CLIError.cannotCreate("cannot create \(path)") }
        let suffix = Hex.encode(random)
        let temporary = (folder.isEmpty ? "" : folder + "/") + ".handoff-\(suffix).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CLIError.cannotCreate("cannot create a file in \(folder.isEmpty ? "." : folder)") }
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { break }
            written += result
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced else {
            unlink(temporary)
            throw CLIError.cannotCreate("cannot write \(path)")
        }
        // link(2) fails if `path` exists: the exclusive form never replaces a file.
        let placed = exclusive ? link(temporary, path) == 0 && unlink(temporary) == 0 : rename(temporary, path) == 0
        guard placed else {
            let exists = errno == EEXIST
            unlink(temporary)
            throw CLIError.cannotCreate(exists ? "\(path) already exists; move it away first" : "cannot replace \(path)")
        }
        syncFolder(folder.isEmpty ? "." : folder)
    }

    /// Creates `path` as a private folder (0700) if it does not exist; an existing one must belong
    /// to this user and be closed to group and others for writing, or secrets written into it could
    /// be swapped or read through a planted link.
    static func makePrivateDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError.cannotCreate("cannot create the folder \(path)")
        }
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw CLIError.cannotCreate("\(path) is not a folder")
        }
        guard info.st_uid == geteuid() else {
            throw CLIError.cannotCreate("\(path) belongs to another user; use a folder of your own for secret files")
        }
        guard info.st_mode & 0o022 == 0 else {
            throw CLIError.cannotCreate("\(path) can be written by group or others (mode \(String(info.st_mode & 0o777, radix: 8))); run chmod go-w \(path)")
        }
    }

    private static func syncFolder(_ folder: String) {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
