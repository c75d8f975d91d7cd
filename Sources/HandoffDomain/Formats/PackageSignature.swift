import VaultCrypto

/// The generator's signature on a delivered Teams package (DESIGN.md, "Package signature"): a
/// signed note by the generator signing key, key name `handoff-generator/<recipient key id>`, text
/// `handoff-vault package v1\n<handoffId>\n<base64 SHA-256 of the zip>\n<size in bytes>\n`. It binds
/// the zip's exact bytes to one handoff, so a server cannot swap the package, move it to another
/// handoff, or sign one itself.
package struct PackageSignature: Sendable, Equatable {
    static let header = "handoff-vault package v1"

    package let handoffId: String
    package let sha256: [UInt8]
    package let size: Int

    /// The statement about `zip` for `handoffId`.
    package init(handoffId: String, zip: [UInt8]) throws(FormatError) {
        self.handoffId = handoffId
        self.sha256 = try FormatError.crypto { () throws(CryptoError) in try SHA256.hash(zip) }
        self.size = zip.count
    }

    init(handoffId: String, sha256: [UInt8], size: Int) {
        self.handoffId = handoffId
        self.sha256 = sha256
        self.size = size
    }

    /// The note's key name for the generator whose sealing key has `recipientKeyId`.
    package static func keyName(recipientKeyId: String) -> String { "handoff-generator/\(recipientKeyId)" }

    /// The text that is signed.
    package var text: String {
        [Self.header, handoffId, Base64.encode(sha256), String(size)].joined(separator: "\n") + "\n"
    }

    /// The signed note for `zip`.
    package static func sign(zip: [UInt8], handoffId: String, recipientKeyId: String, with key: SigningKeyPair) throws(FormatError) -> String {
        try SignedNote.sign(try PackageSignature(handoffId: handoffId, zip: zip).text, keyName: keyName(recipientKeyId: recipientKeyId), with: key)
    }

    /// Checks that `note` is the generator's signature, by `signingKey`, on exactly `zip` for
    /// `handoffId`; throws `packageSignatureInvalid` otherwise.
    package static func verify(_ note: String, zip: [UInt8], handoffId: String, signingKey: SigningPublicKey) throws(FormatError) {
        let text: String
        do {
            text = try SignedNote.verify(note, publicKey: signingKey)
        } catch {
            throw FormatError(.packageSignatureInvalid, "the package is not signed by the generator key in your invite")
        }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count == 4, lines[0] == header, let digest = try? Base64.decode(lines[2]), let size = Int(lines[3]) else {
            throw FormatError(.packageSignatureInvalid, "the package signature is not a v1 package signature")
        }
        guard lines[1] == handoffId else {
            throw FormatError(.packageSignatureInvalid, "the package was signed for another handoff")
        }
        guard size == zip.count, digest == (try FormatError.crypto { () throws(CryptoError) in try SHA256.hash(zip) }) else {
            throw FormatError(.packageSignatureInvalid, "the package's bytes are not the ones the generator signed (changed on the way)")
        }
    }
}
