import VaultCrypto

/// A bearer token: a readable role prefix and 32 random bytes in base64url.
///
/// The text is a credential. `description` never shows it; only `withText` reveals it, for the
/// one header or file that needs it.
package struct BearerToken: Sendable, Equatable, CustomStringConvertible {
    private let text: String

    /// Wraps token text read from a file, an invite or an environment variable, cleaned of what
    /// pasting adds (`PastedCredential`): CRLF line ends, quotes, a byte order mark.
    package init(text: String) {
        self.text = PastedCredential.cleaned(text)
    }

    /// A fresh token for `role`.
    package static func generate(for role: Role) throws(CryptoError) -> BearerToken {
        BearerToken(text: role.tokenPrefix + Base64.encode(try RandomBytes.generate(count: 32), .urlSafeUnpadded))
    }

    /// The role the prefix claims (the server trusts only its own records, never this).
    package var claimedRole: Role? {
        Role.allCases.first { text.hasPrefix($0.tokenPrefix) }
    }

    /// Whether the token has a known prefix and 32 bytes of base64url after it.
    package var isWellFormed: Bool {
        guard let role = claimedRole else { return false }
        let body = String(text.dropFirst(role.tokenPrefix.count))
        return (try? Base64.decode(body, .urlSafeUnpadded))?.count == 32
    }

    /// Calls `body` with the token text; keep the text no longer than the call.
    package func withText<Result, Failure: Error>(_ body: (String) throws(Failure) -> Result) throws(Failure) -> Result {
        try body(text)
    }

    package var description: String { "BearerToken(\(claimedRole?.rawValue ?? "unknown"), redacted)" }
}
