import VaultCrypto

/// A C2SP `tlog-checkpoint`: `<origin>\n<tree size>\n<base64 root hash>\n`, signed as a note with
/// the server's Ed25519 key.
package struct AuditCheckpoint: Sendable, Equatable {
    /// The log's name (the server key's name).
    package let origin: String
    package let size: Int64
    package let rootHash: [UInt8]

    package init(origin: String, size: Int64, rootHash: [UInt8]) {
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
    }

    /// The checkpoint body.
    package var text: String { "\(origin)\n\(size)\n\(Base64.encode(rootHash))\n" }

    /// The signed note, under key name = origin.
    package func signed(with key: SigningKeyPair) throws(FormatError) -> String {
        try SignedNote.sign(text, keyName: origin, with: key)
    }

    /// Verifies a signed checkpoint with `publicKey` and parses it.
    package static func verify(_ note: String, publicKey: SigningPublicKey) throws(FormatError) -> AuditCheckpoint {
        let text = try SignedNote.verify(note, publicKey: publicKey)
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // C2SP allows extension lines after the root hash; this log writes none but accepts them.
        guard lines.count >= 3, !lines[0].isEmpty, let size = Int64(lines[1]), size >= 0, String(size) == lines[1],
              let root = try? Base64.decode(lines[2]), root.count == 32
        else { throw FormatError(.noteMalformed, "the note is not a tlog checkpoint (origin, size, root hash)") }
        return AuditCheckpoint(origin: lines[0], size: size, rootHash: root)
    }
}
