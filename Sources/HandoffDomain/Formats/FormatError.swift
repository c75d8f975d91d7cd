import VaultCrypto

/// A wire format (sealed payload, invite code, receipt, signed note) that was refused, with a
/// stable code. Reasons never include secret bytes.
package struct FormatError: CodedError {
    /// Stable codes, part of the contract.
    package enum Code: String, Sendable {
        /// The sealed box could not be opened with the generator's key.
        case payloadUnopenable = "format.payload_unopenable"
        /// The opened bytes are not a canonical v1 payload.
        case payloadMalformed = "format.payload_malformed"
        /// The payload names another handoff than the one it was fetched for.
        case payloadHandoffMismatch = "format.payload_handoff_mismatch"
        /// The payload's values break the rules.
        case payloadValuesInvalid = "format.payload_values_invalid"
        /// An invite code is not `hv1.` and a canonical, complete invite.
        case inviteMalformed = "format.invite_malformed"
        /// A signed note is not in the C2SP form.
        case noteMalformed = "format.note_malformed"
        /// No signature on a note verifies under the expected key.
        case noteSignatureInvalid = "format.note_signature_invalid"
        /// A generator key file is not in its format, or its halves do not match.
        case keyFileMalformed = "format.key_file_malformed"
        /// A receipt's text is not a v1 receipt, or names other things than expected.
        case receiptMismatch = "format.receipt_mismatch"
        /// A package's signature does not hold: another key, another handoff, other bytes.
        case packageSignatureInvalid = "format.package_signature_invalid"
        /// A libsodium step (hashing, signing, sealing, guarded memory) failed while a format was
        /// made or checked; it does not happen short of the system failing.
        case cryptoFailed = "format.crypto_failed"
        /// A sealed tenant proof (the admin's Microsoft sign-in) does not hold; the reason names the check.
        case tenantProofRefused = "format.tenant_proof_refused"
        /// An API answer is not the shape the API promises (a `WireModel` could not decode it).
        case answerMalformed = "format.answer_malformed"
    }

    /// The stable code.
    package let code: Code
    /// What is wrong, for people.
    package let reason: String

    /// Creates an error.
    package init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}

extension FormatError {
    /// Runs a libsodium step inside a format operation: formats throw one error type (which the
    /// web page's Embedded Swift build needs), so the step's `CryptoError` becomes `cryptoFailed`.
    static func crypto<Value>(_ body: () throws(CryptoError) -> Value) throws(FormatError) -> Value {
        do {
            return try body()
        } catch {
            throw FormatError(.cryptoFailed, error.reason)
        }
    }
}
