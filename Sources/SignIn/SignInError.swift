import VaultCrypto

/// Why a Microsoft sign-in did not give an ID token. Reasons never quote a code or a token.
package struct SignInError: CodedError {
    package enum Code: String, Sendable {
        /// The admin declined, or Entra refused the sign-in.
        case declined = "signin.declined"
        /// The device code or the wait for the browser ran out.
        case expired = "signin.expired"
        /// Entra answered something this client cannot use (or could not be reached).
        case failed = "signin.failed"
    }

    package let code: Code
    package let reason: String

    package init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}
