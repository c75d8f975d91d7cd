/// What a tenant proof must match, and the claims checks of DESIGN.md ("Sign in with Microsoft"),
/// the same for the generator (authoritative), the CLI and the page before sealing. The signature
/// is checked before these by whoever holds the issuer's keys; times are Unix seconds.
package struct TenantProofCheck: Sendable {
    /// Altoura's sign-in app (the token's audience).
    package let clientId: String
    /// The authority, e.g. `https://login.microsoftonline.com` (no trailing slash).
    package let authority: String
    /// The handoff the proof was sealed for.
    package let handoffId: String
    /// The values' Directory (tenant) ID.
    package let valuesTenantId: String
    /// The tenant the operator pinned in the invite, if any.
    package let pinnedTenantId: String?
    /// When the handoff was created and when the vault receipted the submission.
    package let handoffCreatedAt: Int64
    package let receivedAt: Int64

    /// Microsoft's tenant of personal accounts: never a customer's organisation.
    package static let personalAccountsTenant = "9188040d-6c67-4c5b-b112-36a304b66dad"
    /// How far `iat`/`exp` may miss the receipt time (clocks differ).
    package static let skew: Int64 = 300

    package init(
        clientId: String, authority: String, handoffId: String, valuesTenantId: String, pinnedTenantId: String?,
        handoffCreatedAt: Int64, receivedAt: Int64
    ) {
        self.clientId = clientId
        var trimmed = authority
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.authority = trimmed
        self.handoffId = handoffId
        self.valuesTenantId = valuesTenantId.lowercased()
        self.pinnedTenantId = pinnedTenantId?.lowercased()
        self.handoffCreatedAt = handoffCreatedAt
        self.receivedAt = receivedAt
    }

    /// Who signed in, once every claim holds; else the first check that fails, by name.
    package func verify(claims: [String: JSONValue], nonceSalt: String) throws(FormatError) -> VerifiedSignIn {
        func refuse(_ reason: String) -> FormatError { FormatError(.tenantProofRefused, reason) }
        guard let tid = claims["tid"]?.stringValue?.lowercased(), HandoffValues.isGUID(tid) else {
            throw refuse("the sign-in token has no tenant (tid)")
        }
        let issuer = "\(authority)/\(tid)/v2.0"
        guard claims["iss"]?.stringValue == issuer else {
            throw refuse("the sign-in token was issued by \(claims["iss"]?.stringValue ?? "nobody"), not \(issuer)")
        }
        // OpenID Connect allows the audience as a string or an array; Entra sends a string. One
        // audience only: a token meant for several apps is not a proof for this one.
        let audience = claims["aud"]?.stringValue ?? claims["aud"]?.arrayValue.flatMap { $0.count == 1 ? $0[0].stringValue : nil }
        guard audience == clientId else {
            throw refuse("the sign-in token is for another app (aud), not Altoura's sign-in app \(clientId)")
        }
        guard tid != Self.personalAccountsTenant else {
            throw refuse("the sign-in was with a personal Microsoft account; sign in with a work account of your organisation")
        }
        guard tid == valuesTenantId else {
            throw refuse("the sign-in was in tenant \(tid), but the values name tenant \(valuesTenantId)")
        }
        if let pinnedTenantId, tid != pinnedTenantId {
            throw refuse("the sign-in was in tenant \(tid), but the invite was made for tenant \(pinnedTenantId)")
        }
        if let idp = claims["idp"], idp.stringValue != issuer {
            throw refuse("the sign-in was by a guest of the tenant (idp \(idp.stringValue ?? "?")), not one of its own accounts")
        }
        guard let issuedAt = claims["iat"]?.integerValue, let expiresAt = claims["exp"]?.integerValue else {
            throw refuse("the sign-in token has no iat or exp")
        }
        let binding: VerifiedSignIn.Binding
        if let nonce = claims["nonce"] {
            guard nonce.stringValue == (try TenantProof.nonce(handoffId: handoffId, nonceSalt: nonceSalt)) else {
                throw refuse("the sign-in token's nonce is for another handoff or salt")
            }
            binding = .nonce
        } else {
            // A device-code sign-in carries no nonce: only its time ties it to this handoff.
            guard issuedAt >= handoffCreatedAt - Self.skew, issuedAt <= receivedAt + Self.skew else {
                throw refuse("the sign-in token has no nonce and was not issued between the invite and the submission")
            }
            binding = .time
        }
        guard issuedAt <= receivedAt + Self.skew else {
            throw refuse("the sign-in token was issued after the submission was received")
        }
        guard expiresAt >= receivedAt - Self.skew else {
            throw refuse("the sign-in token had expired before the submission was received")
        }
        var roles: [String] = []
        for role in claims["wids"]?.arrayValue ?? [] {
            if let text = role.stringValue { roles.append(text) }
        }
        return VerifiedSignIn(
            tenantId: tid, user: claims["preferred_username"]?.stringValue ?? "", name: claims["name"]?.stringValue,
            objectId: claims["oid"]?.stringValue ?? "", adminRoles: roles, binding: binding
        )
    }
}

/// Who signed in, from a proof that held.
package struct VerifiedSignIn: Sendable, Equatable {
    /// How the sign-in is tied to the handoff: its `nonce`, or (device code) its time.
    package enum Binding: String, Sendable { case nonce, time }

    package let tenantId: String
    /// `preferred_username`, e.g. alice@contoso.com.
    package let user: String
    package let name: String?
    package let objectId: String
    /// Entra role template ids (`wids`), when the token carries them.
    package let adminRoles: [String]
    package let binding: Binding

    package init(tenantId: String, user: String, name: String?, objectId: String, adminRoles: [String], binding: Binding) {
        self.tenantId = tenantId
        self.user = user
        self.name = name
        self.objectId = objectId
        self.adminRoles = adminRoles
        self.binding = binding
    }
}
