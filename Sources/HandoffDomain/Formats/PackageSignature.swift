import VaultCrypto

/// The generator's signature on a delivered Teams package (DESIGN.md, "Package signature v2"): a
/// signed note by the generator signing key, key name `handoff-generator/<recipient key id>`, text
/// `handoff-vault package v2\n<handoffId>\n<submissionId>\n<sequence>\n<base64 SHA-256 of the
/// zip>\n<size in bytes>\n`. It binds the zip's exact bytes to one handoff, to the submission the
/// package was built from and to its place in the handoff's deliveries, so a server can neither
/// swap the package, move it to another handoff, sign one itself, nor put an older signed package
/// back (the server refuses a sequence that does not increase; the customer refuses a package
/// built from anything but its latest receipted submission). Version 1 (no submission, no
/// sequence) is refused.
package struct PackageSignature: Sendable, Equatable {
    static let header = "handoff-vault package v2"
    static let retiredHeader = "handoff-vault package v1"

    package let handoffId: String
    /// The submission whose values the package was built from.
    package let submissionId: String
    /// The delivery's place among the handoff's deliveries: 1, 2, …
    package let sequence: Int64
    package let sha256: [UInt8]
    package let size: Int

    /// The statement about `zip` for a handoff's submission.
    package init(handoffId: String, submissionId: String, sequence: Int64, zip: [UInt8]) throws(FormatError) {
        self.init(
            handoffId: handoffId, submissionId: submissionId, sequence: sequence,
            sha256: try FormatError.crypto { () throws(CryptoError) in try SHA256.hash(zip) }, size: zip.count
        )
    }

    init(handoffId: String, submissionId: String, sequence: Int64, sha256: [UInt8], size: Int) {
        self.handoffId = handoffId
        self.submissionId = submissionId
        self.sequence = sequence
        self.sha256 = sha256
        self.size = size
    }

    /// The note's key name for the generator whose sealing key has `recipientKeyId`.
    package static func keyName(recipientKeyId: String) -> String { "handoff-generator/\(recipientKeyId)" }

    /// The text that is signed.
    package var text: String {
        [Self.header, handoffId, submissionId, String(sequence), Base64.encode(sha256), String(size)].joined(separator: "\n") + "\n"
    }

    /// The signed note for `zip`, built from `submissionId`, as the handoff's `sequence`-th delivery.
    package static func sign(
        zip: [UInt8], handoffId: String, submissionId: String, sequence: Int64, recipientKeyId: String, with key: SigningKeyPair
    ) throws(FormatError) -> String {
        guard HandoffValues.isHandoffId(submissionId), sequence >= 1 else {
            throw FormatError(.packageSignatureInvalid, "a package is signed for a submission id (a lowercase UUID) and a sequence from 1")
        }
        let statement = try PackageSignature(handoffId: handoffId, submissionId: submissionId, sequence: sequence, zip: zip)
        return try SignedNote.sign(statement.text, keyName: keyName(recipientKeyId: recipientKeyId), with: key)
    }

    /// Checks that `note` is the generator's signature, by `signingKey`, on exactly `zip` for
    /// `handoffId`, and answers what it states (the submission and sequence, for the caller's own
    /// checks); throws `packageSignatureInvalid` otherwise.
    @discardableResult
    package static func verify(_ note: String, zip: [UInt8], handoffId: String, signingKey: SigningPublicKey) throws(FormatError) -> PackageSignature {
        let statement = try statement(of: note, signingKey: signingKey)
        guard statement.handoffId == handoffId else {
            throw FormatError(.packageSignatureInvalid, "the package was signed for another handoff")
        }
        guard statement.size == zip.count, statement.sha256 == (try FormatError.crypto { () throws(CryptoError) in try SHA256.hash(zip) }) else {
            throw FormatError(.packageSignatureInvalid, "the package's bytes are not the ones the generator signed (changed on the way)")
        }
        return statement
    }

    /// Whether `note` is a version 1 signature (no submission, no sequence): from before v2.
    package static func isVersion1(_ note: String) -> Bool { note.hasPrefix(retiredHeader + "\n") }

    /// What a note signed by `signingKey` states, without checking it against a zip.
    package static func statement(of note: String, signingKey: SigningPublicKey) throws(FormatError) -> PackageSignature {
        let text: String
        do {
            text = try SignedNote.verify(note, publicKey: signingKey)
        } catch {
            throw FormatError(.packageSignatureInvalid, "the package is not signed by the generator key in your invite")
        }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.first == retiredHeader {
            throw FormatError(.packageSignatureInvalid, "the package carries a version 1 signature, which names no submission; ask Altoura to deliver it again")
        }
        guard lines.count == 6, lines[0] == header, HandoffValues.isHandoffId(lines[2]),
              let sequence = Int64(lines[3]), sequence >= 1, String(sequence) == lines[3],
              let digest = try? Base64.decode(lines[4]), digest.count == 32, let size = Int(lines[5]), String(size) == lines[5]
        else {
            throw FormatError(.packageSignatureInvalid, "the package signature is not a v2 package signature")
        }
        return PackageSignature(handoffId: lines[1], submissionId: lines[2], sequence: sequence, sha256: digest, size: size)
    }

    /// The store's rule for a new delivery: its sequence must be above the delivery it replaces
    /// (`previous`, that delivery's note, if any), so an older signed package cannot be put back.
    package func checkFollows(previous: String?, signingKey: SigningPublicKey) throws(FormatError) {
        guard let previous else { return }
        // A stored v1 note (delivered before v2) counts as sequence 0.
        let previousSequence = (try? Self.statement(of: previous, signingKey: signingKey).sequence) ?? 0
        guard sequence > previousSequence else {
            throw FormatError(
                .packageSignatureInvalid,
                "the package is signed as delivery \(sequence) but delivery \(previousSequence) is already here; an older package cannot replace a newer one"
            )
        }
    }

    /// The customer's rule: the package must be built from `latestSubmissionId`, the latest
    /// submission the customer holds a verified receipt for.
    package func checkBuilt(from latestSubmissionId: String) throws(FormatError) {
        guard submissionId == latestSubmissionId else {
            throw FormatError(
                .packageSignatureInvalid,
                "the package was built from submission \(submissionId), not from your latest one (\(latestSubmissionId)); wait for Altoura to deliver the package for your latest values"
            )
        }
    }
}
