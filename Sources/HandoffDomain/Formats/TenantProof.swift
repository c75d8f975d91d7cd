import VaultCrypto

/// The customer admin's Microsoft sign-in, sealed with the values in a v2 payload (DESIGN.md,
/// "Sign in with Microsoft"): the ID token as Entra issued it and the salt its `nonce` was made
/// from. Only the generator opens it, so the vault never learns who signed in.
package struct TenantProof: Sendable, Equatable {
    /// The ID token, a compact JWS. It names a person: never log it.
    package let idToken: String
    /// 16 random bytes, base64url without padding.
    package let nonceSalt: String

    package init(idToken: String, nonceSalt: String) {
        self.idToken = idToken
        self.nonceSalt = nonceSalt
    }

    /// A new random salt for one sign-in.
    package static func newNonceSalt() throws(FormatError) -> String {
        Base64.encode(try FormatError.crypto { () throws(CryptoError) in try RandomBytes.generate(count: 16) }, .urlSafeUnpadded)
    }

    /// The `nonce` the sign-in must carry for `handoffId` and `nonceSalt`:
    /// base64url-nopad(SHA-256("handoff-vault tenant-proof v1\n" ‖ handoffId ‖ "\n" ‖ nonceSalt)).
    package static func nonce(handoffId: String, nonceSalt: String) throws(FormatError) -> String {
        let text = "handoff-vault tenant-proof v1\n" + handoffId + "\n" + nonceSalt
        return Base64.encode(try FormatError.crypto { () throws(CryptoError) in try SHA256.hash(Array(text.utf8)) }, .urlSafeUnpadded)
    }

    /// `{"idToken","nonceSalt"}`.
    package var jsonValue: JSONValue {
        ["idToken": .string(idToken), "nonceSalt": .string(nonceSalt)]
    }

    /// Reads the object a v2 payload holds; a salt that is not 16 bytes of base64url is refused.
    package init(json: JSONValue) throws(FormatError) {
        guard let members = json.objectValue, Set(members.keys) == ["idToken", "nonceSalt"],
              let idToken = members["idToken"]?.stringValue, !idToken.isEmpty, idToken.utf8.count <= 16_384,
              let salt = members["nonceSalt"]?.stringValue,
              let saltBytes = try? Base64.decode(salt, .urlSafeUnpadded), saltBytes.count == 16
        else {
            throw FormatError(.payloadMalformed, "the payload's tenantProof is not {\"idToken\", \"nonceSalt\"} with a 16-byte salt")
        }
        self.init(idToken: idToken, nonceSalt: salt)
    }
}
