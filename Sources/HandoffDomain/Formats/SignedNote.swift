import VaultCrypto

/// A C2SP `signed-note`: text lines ending in a newline, a blank line, then signature lines
/// `— <key name> <base64(key ID ‖ Ed25519 signature)>`.
///
/// Receipts and audit checkpoints are signed notes, so any C2SP tool can check them.
package enum SignedNote {
    /// The Ed25519 signature type byte in key IDs.
    static let ed25519Type: UInt8 = 0x01
    static let signaturePrefix = "— "

    /// The 4-byte key ID: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
    package static func keyID(name: String, publicKey: SigningPublicKey) throws(FormatError) -> [UInt8] {
        let input = Array(name.utf8) + [0x0A, ed25519Type] + publicKey.bytes
        return Array(try FormatError.crypto { () throws(CryptoError) in try SHA256.hash(input) }.prefix(4))
    }

    /// Signs `text` (which must end with a newline) as a note under `keyName`.
    package static func sign(_ text: String, keyName: String, with key: SigningKeyPair) throws(FormatError) -> String {
        guard isValidText(Array(text.utf8)), isValidKeyName(keyName) else {
            throw FormatError(.noteMalformed, "a note's text must be non-empty lines ending in a newline")
        }
        let signature = try FormatError.crypto { () throws(CryptoError) in try key.sign(Array(text.utf8)) }
        let id = try keyID(name: keyName, publicKey: key.publicKey)
        return text + "\n" + signaturePrefix + keyName + " " + Base64.encode(id + signature) + "\n"
    }

    /// The verified text of `note`: some signature line must name a key whose ID matches
    /// `publicKey` and whose signature verifies. Unknown signatures are ignored, as C2SP says.
    ///
    /// The note is read as UTF-8 bytes, as C2SP defines it: Swift's character-level `contains`
    /// and `split` can disagree about a newline followed by a combining mark (the signed-note
    /// fuzzer found "\n\n\u{200C}" passing `contains("\n\n")` unnoticed).
    package static func verify(_ note: String, publicKey: SigningPublicKey, keyName: String? = nil) throws(FormatError) -> String {
        let bytes = Array(note.utf8)
        guard bytes.count <= 64 * 1024, let blank = firstBlankLine(bytes) else {
            throw FormatError(.noteMalformed, "the note has no blank line before its signatures")
        }
        let text = Array(bytes[...blank])
        let signatureBlock = bytes[(blank + 2)...]
        guard signatureBlock.last == newline else {
            throw FormatError(.noteMalformed, "the note's signature lines must end with a newline")
        }
        let prefix = Array(signaturePrefix.utf8)
        for line in signatureBlock.dropLast().split(separator: newline, omittingEmptySubsequences: false) {
            guard line.starts(with: prefix) else {
                throw FormatError(.noteMalformed, "a signature line does not start with an em dash")
            }
            let fields = line.dropFirst(prefix.count).split(separator: space, omittingEmptySubsequences: false)
            guard fields.count == 2, let name = String(validating: fields[0], as: UTF8.self),
                  let blob = try? Base64.decode(String(decoding: fields[1], as: UTF8.self)), blob.count > 4
            else {
                throw FormatError(.noteMalformed, "a signature line is not '— <name> <base64>'")
            }
            if let keyName, name != keyName { continue }
            guard blob.count == 68, Array(blob.prefix(4)) == (try keyID(name: name, publicKey: publicKey)) else { continue }
            if publicKey.isValidSignature(Array(blob.dropFirst(4)), for: text) {
                return String(decoding: text, as: UTF8.self)
            }
        }
        throw FormatError(.noteSignatureInvalid, "no signature on the note verifies with the expected key")
    }

    private static let newline: UInt8 = 0x0A
    private static let space: UInt8 = 0x20

    /// Note text: non-empty lines, each ending in a newline; so no blank line and no leading newline.
    static func isValidText(_ bytes: [UInt8]) -> Bool {
        bytes.last == newline && bytes.first != newline && firstBlankLine(bytes) == nil
    }

    /// A note's text and its signature lines (each ending in a newline), split at the blank line;
    /// nil when there is no blank line.
    package static func split(_ note: String) -> (text: String, signatures: String)? {
        let bytes = Array(note.utf8)
        guard let blank = firstBlankLine(bytes) else { return nil }
        return (String(decoding: bytes[...blank], as: UTF8.self), String(decoding: bytes[(blank + 2)...], as: UTF8.self))
    }

    /// The index of the first newline that is followed by another.
    private static func firstBlankLine(_ bytes: [UInt8]) -> Int? {
        bytes.indices.dropLast().first { bytes[$0] == newline && bytes[$0 + 1] == newline }
    }

    /// Key names are non-empty and hold no whitespace or `+` (C2SP).
    package static func isValidKeyName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains(where: { $0.isWhitespace || $0 == "+" })
    }
}
