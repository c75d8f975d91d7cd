import HandoffDomain

/// The generator's authoritative check of a sealed tenant proof (DESIGN.md, "Sign in with
/// Microsoft"): the token taken apart, RS256 and its `kid` required, the signature checked with
/// the issuer's keys (fetched once and cached; fetched again once when a `kid` is unknown, as
/// after a key rotation), then every claim by `TenantProofCheck`.
package actor TenantProofVerifier {
    /// Where the issuer's keys come from: a fixed file (an offline generator), or a fetch.
    package enum KeySource: Sendable {
        case fixed(IssuerKeys)
        case fetched(@Sendable () async throws -> IssuerKeys)
    }

    private let source: KeySource
    private var cached: IssuerKeys?
    /// How many times the keys were fetched (a metric for tests and logs).
    package private(set) var fetches = 0

    package init(_ source: KeySource) {
        self.source = source
        if case .fixed(let keys) = source { cached = keys }
    }

    /// Who signed in, or the refusal naming the first check that failed.
    package func verify(_ proof: TenantProof, check: TenantProofCheck) async throws -> VerifiedSignIn {
        let jws = try CompactJWS(parsing: proof.idToken)
        let kid = try jws.rs256KeyId()
        var keys = try await keys(refresh: false)
        if !keys.contains(kid), case .fetched = source {
            keys = try await self.keys(refresh: true)
        }
        try await keys.verifySignature(of: proof.idToken, kid: kid)
        return try check.verify(claims: jws.claims, nonceSalt: proof.nonceSalt)
    }

    private func keys(refresh: Bool) async throws -> IssuerKeys {
        if let cached, !refresh { return cached }
        switch source {
        case .fixed(let keys): return keys
        case .fetched(let fetch):
            fetches += 1
            let keys = try await fetch()
            cached = keys
            return keys
        }
    }
}
