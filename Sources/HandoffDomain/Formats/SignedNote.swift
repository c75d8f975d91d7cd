import VaultCrypto

/// A C2SP `signed-note`: text lines ending in a newline, a blank line, then signature lines
/// `— <key name> <base64(key ID ‖ Ed25519 signature)>`.
///
/// Receipts and audit checkpoints are signed notes, so any C2SP tool can check them.
public enum SignedNote {
    /// The Ed25519 signature type byte in key IDs.
    static let ed25519Type: UInt8 = 0x01
    static let signaturePrefix = "— "

    /// The 4-byte key ID: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
    public static func keyID(name: String, publicKey: SigningPublicKey) throws -> [UInt8] {
        Array(try SHA256.hash(Array(name.utf8) + [0x0A, ed25519Type] + publicKey.bytes).prefix(4))
    }

    /// Signs `text` (which must end with a newline) as a note under `keyName`.
    public static func sign(_ text: String, keyName: String, with key: SigningKeyPair) throws -> String {
        guard text.hasSuffix("\n"), !text.contains("\n\n"), isValidKeyName(keyName) else {
            throw FormatError(.noteMalformed, "a note's text must be non-empty lines ending in a newline")
        }
        let signature = try key.sign(Array(text.utf8))
        let id = try keyID(name: keyName, publicKey: key.publicKey)
        return text + "\n" + signaturePrefix + keyName + " " + Base64.encode(id + signature) + "\n"
    }

    /// The verified text of `note`: some signature line must name a key whose ID matches
    /// `publicKey` and whose signature verifies. Unknown signatures are ignored, as C2SP says.
    public static func verify(_ note: String, publicKey: SigningPublicKey, keyName: String? = nil) throws -> String {
        guard note.utf8.count <= 64 * 1024, let split = note.firstRange(of: "\n\n") else {
            throw FormatError(.noteMalformed, "the note has no blank line before its signatures")
        }
        let text = String(note[..<split.lowerBound]) + "\n"
        let signatureBlock = note[split.upperBound...]
        guard signatureBlock.hasSuffix("\n") else {
            throw FormatError(.noteMalformed, "the note's signature lines must end with a newline")
        }
        for line in signatureBlock.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix(signaturePrefix) else {
                throw FormatError(.noteMalformed, "a signature line does not start with an em dash")
            }
            let fields = line.dropFirst(signaturePrefix.count).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, let blob = try? Base64.decode(String(fields[1])), blob.count > 4 else {
                throw FormatError(.noteMalformed, "a signature line is not '— <name> <base64>'")
            }
            let name = String(fields[0])
            if let keyName, name != keyName { continue }
            guard blob.count == 68, Array(blob.prefix(4)) == (try keyID(name: name, publicKey: publicKey)) else { continue }
            if publicKey.isValidSignature(Array(blob.dropFirst(4)), for: Array(text.utf8)) {
                return text
            }
        }
        throw FormatError(.noteSignatureInvalid, "no signature on the note verifies with the expected key")
    }

    /// Key names are non-empty and hold no whitespace or `+` (C2SP).
    public static func isValidKeyName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains(where: { $0.isWhitespace || $0 == "+" })
    }
}
