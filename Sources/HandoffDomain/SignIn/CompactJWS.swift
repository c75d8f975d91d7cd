import VaultCrypto

/// A compact JWS (`header.payload.signature`, each base64url without padding) taken apart, its
/// signature not yet checked: the header and claims as parsed JSON, the signed input and the
/// signature bytes. Anything else is refused as "not a JWS".
package struct CompactJWS: Sendable {
    package let header: [String: JSONValue]
    package let claims: [String: JSONValue]
    /// `header.payload` as sent: what the signature covers.
    package let signingInput: [UInt8]
    package let signature: [UInt8]

    package init(parsing text: String) throws(FormatError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard text.utf8.count <= 16_384, parts.count == 3,
              let headerBytes = try? Base64.decode(String(parts[0]), .urlSafeUnpadded),
              let claimBytes = try? Base64.decode(String(parts[1]), .urlSafeUnpadded),
              let signature = try? Base64.decode(String(parts[2]), .urlSafeUnpadded),
              let header = (try? JSONParser.parse(headerBytes))?.objectValue,
              let claims = (try? JSONParser.parse(claimBytes))?.objectValue
        else {
            throw FormatError(.tenantProofRefused, "the sealed sign-in is not a JWS ID token")
        }
        self.header = header
        self.claims = claims
        signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
        self.signature = signature
    }

    /// The key id the header names, after checking the algorithm is RS256 (Entra's): `none`, an
    /// HMAC keyed with the public key and every other algorithm are refused by name.
    package func rs256KeyId() throws(FormatError) -> String {
        let algorithm = header["alg"]?.stringValue ?? "(none given)"
        guard algorithm == "RS256" else {
            throw FormatError(.tenantProofRefused, "the sign-in token is signed with \(algorithm), not RS256")
        }
        guard let kid = header["kid"]?.stringValue, !kid.isEmpty else {
            throw FormatError(.tenantProofRefused, "the sign-in token names no signing key (kid)")
        }
        return kid
    }
}
