import VaultCrypto

/// The server's signed acknowledgement of a submission: a signed note whose text is
/// `handoff-vault receipt v1`, the handoff id, the submission id, the base64 SHA-256 of the
/// sealed bytes, the RFC 3339 receive time and the audit index, one per line.
package struct Receipt: Sendable, Equatable {
    static let header = "handoff-vault receipt v1"

    package let handoffId: String
    package let submissionId: String
    /// SHA-256 of the sealed box the server stored.
    package let sealedSHA256: [UInt8]
    package let receivedAt: String
    /// The index of the submission's audit event.
    package let auditIndex: Int64

    /// Creates a receipt.
    package init(handoffId: String, submissionId: String, sealedSHA256: [UInt8], receivedAt: String, auditIndex: Int64) {
        self.handoffId = handoffId
        self.submissionId = submissionId
        self.sealedSHA256 = sealedSHA256
        self.receivedAt = receivedAt
        self.auditIndex = auditIndex
    }

    /// The note text that gets signed.
    package var text: String {
        [Self.header, handoffId, submissionId, Base64.encode(sealedSHA256), receivedAt, String(auditIndex)]
            .joined(separator: "\n") + "\n"
    }

    /// The signed note.
    package func signed(keyName: String, with key: SigningKeyPair) throws(FormatError) -> String {
        try SignedNote.sign(text, keyName: keyName, with: key)
    }

    /// Verifies a receipt note with the server key from the invite and checks that it is about
    /// the handoff and the exact sealed bytes the client sent.
    package static func verify(_ note: String, serverKey: SigningPublicKey, handoffId: String, sealed: [UInt8]) throws(FormatError) -> Receipt {
        let receipt = try verifySignature(note, serverKey: serverKey, handoffId: handoffId)
        guard receipt.sealedSHA256 == (try FormatError.crypto { () throws(CryptoError) in try SHA256.hash(sealed) }) else {
            throw FormatError(.receiptMismatch, "the receipt is for other sealed bytes than the ones sent")
        }
        return receipt
    }

    /// Verifies a receipt note's signature and that it is about `handoffId` (for a holder who
    /// no longer has the sealed bytes, such as `handoff status`).
    package static func verifySignature(_ note: String, serverKey: SigningPublicKey, handoffId: String) throws(FormatError) -> Receipt {
        let text = try SignedNote.verify(note, publicKey: serverKey)
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count == 6, lines[0] == header, let index = Int64(lines[5]),
              let digest = try? Base64.decode(lines[3]), digest.count == 32
        else { throw FormatError(.receiptMismatch, "the receipt is not a v1 receipt") }
        let receipt = Receipt(handoffId: lines[1], submissionId: lines[2], sealedSHA256: digest, receivedAt: lines[4], auditIndex: index)
        guard receipt.handoffId == handoffId else {
            throw FormatError(.receiptMismatch, "the receipt names another handoff")
        }
        return receipt
    }
}
