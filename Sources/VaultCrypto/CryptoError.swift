/// An error from the crypto layer: a stable machine code and a human reason.
///
/// Reasons never contain key material or plaintext; they name the operation only.
package struct CryptoError: CodedError {
    /// Stable codes, part of the contract: they may appear in logs and problem documents.
    package enum Code: String, Sendable {
        /// `sodium_init` failed; nothing in this module can be used.
        case initializationFailed = "crypto.init_failed"
        /// `sodium_malloc` could not allocate guarded memory.
        case allocationFailed = "crypto.allocation_failed"
        /// A key, nonce or signature had the wrong length.
        case invalidLength = "crypto.invalid_length"
        /// A key was not acceptable to libsodium (for example a low-order point).
        case invalidKey = "crypto.invalid_key"
        /// Authenticated decryption failed: wrong key, or the bytes were changed.
        case authenticationFailed = "crypto.authentication_failed"
        /// A sealed box could not be opened with this key pair.
        case sealedBoxOpenFailed = "crypto.sealed_box_open_failed"
        /// A signature did not verify.
        case signatureInvalid = "crypto.signature_invalid"
        /// Text was not valid base64 of the expected variant.
        case invalidEncoding = "crypto.invalid_encoding"
        /// libsodium reported a failure in an operation that should not fail.
        case operationFailed = "crypto.operation_failed"
    }

    /// The stable code.
    package let code: Code
    /// What went wrong, for people. Never holds secret bytes.
    package let reason: String

    /// Creates an error with a code and a reason.
    package init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}

/// Turns a libsodium return code into a thrown `CryptoError`.
@inline(__always)
func check(_ result: Int32, _ code: CryptoError.Code, _ reason: @autoclosure () -> String) throws(CryptoError) {
    guard result == 0 else { throw CryptoError(code, reason()) }
}
