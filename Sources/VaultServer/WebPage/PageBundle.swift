import Foundation
import VaultStore
import VaultCrypto

/// The customer's page as a folder for a separately controlled static host (DESIGN.md,
/// `page_origin`): what `handoffd web-bundle` writes. Reproducible — the files are the ones built
/// into this binary, rendered for one vault origin — so anyone can make it again and compare.
package enum PageBundle {
    /// What was written: the page code digest the footer shows, and each file's SHA-256 (hex) by path.
    package struct Written: Sendable {
        package let codeDigest: String
        package let files: [(path: String, sha256: String)]

        /// The `sha256sum` listing of every file (also written as `SHA256SUMS`).
        package var checksums: String { files.map { "\($0.sha256)  \($0.path)\n" }.joined() }
    }

    /// Writes the bundle for `vaultOrigin` (`https://host[:port]`) into the empty or new folder `folder`.
    package static func write(vaultOrigin: String, to folder: String) throws -> Written {
        guard PageOriginCORS.isOrigin(vaultOrigin) else {
            throw SettingsError("--vault-origin must be an https origin like https://vault.example.com (no path)")
        }
        let page = try WebPage.served()
        let manager = FileManager.default
        if let existing = try? manager.contentsOfDirectory(atPath: folder), !existing.isEmpty {
            throw SettingsError("\(folder) is not empty; give a new folder")
        }
        var files: [(path: String, sha256: String)] = []
        for (path, bytes) in page.bundle(vaultOrigin: vaultOrigin) {
            let target = URL(fileURLWithPath: folder).appendingPathComponent(path)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard manager.createFile(atPath: target.path, contents: Data(bytes), attributes: [.posixPermissions: 0o644]) else {
                throw SettingsError("cannot write \(target.path)")
            }
            files.append((path, Hex.encode(try SHA256.hash(bytes))))
        }
        let written = Written(codeDigest: page.codeDigest, files: files)
        guard manager.createFile(atPath: "\(folder)/SHA256SUMS", contents: Data(written.checksums.utf8), attributes: [.posixPermissions: 0o644]) else {
            throw SettingsError("cannot write \(folder)/SHA256SUMS")
        }
        return written
    }
}
