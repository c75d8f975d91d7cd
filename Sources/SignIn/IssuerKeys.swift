import HandoffDomain
import JWTKit

/// The sign-in issuer's public signing keys (its JWKS), by `kid`: RSA keys only, each fixed to
/// RS256, whatever the JWKS says of algorithms (Entra's JWKS names none).
package struct IssuerKeys: Sendable {
    let keys: [String: JWK]

    /// Reads a JWKS document (`{"keys":[{"kty":"RSA","kid","n","e",…}]}`); other keys are skipped.
    package init(jwks json: JSONValue) throws(FormatError) {
        guard let entries = json.objectValue?["keys"]?.arrayValue else {
            throw FormatError(.answerMalformed, "the issuer's key set is not a JWKS document")
        }
        var keys: [String: JWK] = [:]
        for entry in entries {
            guard let key = entry.objectValue, key["kty"]?.stringValue == "RSA", key["use"].map({ $0.stringValue == "sig" }) ?? true,
                  let kid = key["kid"]?.stringValue, let modulus = key["n"]?.stringValue, let exponent = key["e"]?.stringValue
            else { continue }
            keys[kid] = JWK.rsa(.rs256, identifier: JWKIdentifier(string: kid), modulus: modulus, exponent: exponent)
        }
        self.keys = keys
    }

    /// Whether the set holds `kid`.
    package func contains(_ kid: String) -> Bool { keys[kid] != nil }

    /// Checks the token's RS256 signature with key `kid`.
    package func verifySignature(of token: String, kid: String) async throws(FormatError) {
        guard let key = keys[kid] else {
            throw FormatError(.tenantProofRefused, "the sign-in token is signed with key \(kid), which the issuer does not publish")
        }
        do {
            let collection = JWTKeyCollection()
            try await collection.add(jwk: key)
            _ = try await collection.verify(token, as: UncheckedClaims.self)
        } catch {
            throw FormatError(.tenantProofRefused, "the sign-in token's signature does not hold with the issuer's key \(kid)")
        }
    }
}

/// The claims as jwt-kit hands them over once the signature held: checked afterwards, by
/// `TenantProofCheck`, on the exact bytes (so nothing here decodes or judges them).
private struct UncheckedClaims: JWTPayload {
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
