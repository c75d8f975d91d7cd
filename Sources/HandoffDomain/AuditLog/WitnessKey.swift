import VaultCrypto

/// A witness's public key in the C2SP verifier-key form `<name>+<hex key ID>+<base64(0x04 ‖ key)>`
/// (tlog-cosignature: Ed25519 cosignatures, type 0x04, key ID = SHA-256(name ‖ "\n" ‖ 0x04 ‖ key)[:4]).
package struct WitnessKey: Sendable, Hashable, CustomStringConvertible {
    /// The cosignature type byte of Ed25519 `cosignature/v1`.
    static let cosignatureType: UInt8 = 0x04

    /// The witness's name (its key name in signature lines).
    package let name: String
    package let publicKey: SigningPublicKey
    /// The 4-byte key ID its signature lines carry.
    package let keyId: [UInt8]

    /// Parses and checks a verifier key: the name is a valid key name, the type is 0x04, and the
    /// key ID is the one the name and key give.
    package init(verifierKey text: String) throws(FormatError) {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, SignedNote.isValidKeyName(parts[0]), let id = Hex.decode(parts[1]), id.count == 4,
              let material = try? Base64.decode(parts[2]), material.count == 33, material[0] == Self.cosignatureType,
              let key = try? SigningPublicKey(bytes: Array(material.dropFirst()))
        else {
            throw FormatError(.noteMalformed, "a witness key must be <name>+<8 hex digits>+<base64 of 0x04 and a 32-byte Ed25519 key>")
        }
        let expected = try Self.keyId(name: parts[0], publicKey: key)
        guard expected == id else { throw FormatError(.noteMalformed, "the witness key \(parts[0]) has a key ID that does not match its name and key") }
        self.name = parts[0]
        self.publicKey = key
        self.keyId = id
    }

    /// SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4].
    package static func keyId(name: String, publicKey: SigningPublicKey) throws(FormatError) -> [UInt8] {
        let input = Array(name.utf8) + [0x0A, cosignatureType] + publicKey.bytes
        return Array(try FormatError.crypto { () throws(CryptoError) in try SHA256.hash(input) }.prefix(4))
    }

    /// The verifier-key text again.
    package var description: String {
        "\(name)+\(Hex.encode(keyId))+\(Base64.encode([Self.cosignatureType] + publicKey.bytes))"
    }
}

/// A C2SP `cosignature/v1`: a witness's timestamped Ed25519 signature over a checkpoint's text,
/// carried as a note signature line `— <witness name> base64(key ID ‖ u64 timestamp ‖ signature)`.
package struct Cosignature: Sendable, Equatable {
    /// The witness that signed.
    package let witness: String
    /// When it signed, POSIX seconds.
    package let timestamp: UInt64
    /// The signature line, as it is appended to the checkpoint note.
    package let line: String

    /// The message a witness signs: `cosignature/v1\ntime <t>\n` then the checkpoint text.
    package static func message(timestamp: UInt64, checkpointText: String) -> [UInt8] {
        Array("cosignature/v1\ntime \(timestamp)\n\(checkpointText)".utf8)
    }

    /// Every signature line of `lines` (note signature lines, `— …`, one per line) that is a valid
    /// cosignature by one of `witnesses` over `checkpointText`; other lines are ignored, as C2SP
    /// says. At most one per witness.
    package static func valid(in lines: String, checkpointText: String, witnesses: [WitnessKey]) -> [Cosignature] {
        var found: [String: Cosignature] = [:]
        for line in lines.split(separator: "\n") {
            guard line.hasPrefix("— ") else { continue }
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, let blob = try? Base64.decode(String(fields[1])), blob.count == 76 else { continue }
            for witness in witnesses where witness.name == fields[0] && Array(blob.prefix(4)) == witness.keyId && found[witness.name] == nil {
                let timestamp = blob[4..<12].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                guard timestamp <= UInt64(Int64.max) else { continue }
                if witness.publicKey.isValidSignature(Array(blob.suffix(64)), for: message(timestamp: timestamp, checkpointText: checkpointText)) {
                    found[witness.name] = Cosignature(witness: witness.name, timestamp: timestamp, line: String(line))
                }
            }
        }
        return found.values.sorted { $0.witness < $1.witness }
    }
}

/// The C2SP tlog-witness `add-checkpoint` request: `old <size>\n`, the consistency proof's hashes
/// one base64 line each, a blank line, then the signed checkpoint.
package enum AddCheckpoint {
    /// The most proof lines a request may carry.
    package static let maximumProofLines = 63

    package static func body(oldSize: Int64, proof: [[UInt8]], checkpointNote: String) -> [UInt8] {
        var text = "old \(oldSize)\n"
        for hash in proof { text += Base64.encode(hash) + "\n" }
        return Array((text + "\n" + checkpointNote).utf8)
    }
}
