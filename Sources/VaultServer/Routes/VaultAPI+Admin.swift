import Foundation
import HandoffDomain
import Hummingbird
import VaultCrypto
import VaultStore

extension VaultAPI {
    /// The operator's routes: the generator's keys, invites, role tokens.
    func addAdminRoutes(to v1: RouterGroup<VaultRequestContext>) {
        v1.put("recipient", use: setRecipient)
        v1.post("handoffs", use: createHandoff)
        v1.delete("handoffs/:id", use: revokeHandoff)
        v1.post("tokens", use: createToken)
        v1.get("tokens", use: listTokens)
        v1.delete("tokens/:id", use: revokeToken)
    }

    /// `PUT /v1/recipient` (admin): registers the generator's X25519 public key and, optionally,
    /// its Ed25519 package-signing key.
    @Sendable func setRecipient(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let principal = try authorize(context, [.admin])
        var request = request
        let body = try await request.jsonObject(required: ["publicKey"], allowed: ["publicKey", "signingPublicKey"])
        guard let key = FieldDecoding.sealingKey(try body.string("publicKey")) else {
            throw APIProblem.badRequest("request.invalid_public_key", "publicKey must be base64 of a 32-byte X25519 public key")
        }
        var signingKey: SigningPublicKey?
        if body["signingPublicKey"] != nil {
            guard let parsed = FieldDecoding.signingKey(try body.string("signingPublicKey")) else {
                throw APIProblem.badRequest("request.invalid_public_key", "signingPublicKey must be base64 of a 32-byte Ed25519 public key")
            }
            signingKey = parsed
        }
        let keyId = try await store.setRecipientKey(key, signingKey: signingKey, context: storeContext(context, principal))
        return .json(RecipientRegistration(keyId: keyId))
    }

    /// `POST /v1/handoffs` (admin): a new handoff and its invite code.
    @Sendable func createHandoff(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let principal = try authorize(context, [.admin])
        var request = request
        let body = try await request.jsonObject(required: ["customer"], allowed: ["customer", "expiresIn", "tenantProof", "tenantId"])
        let customer = try body.string("customer", maxLength: 200)
        // The same rule as the OpenAPI pattern ^[^\r\n]*\S[^\r\n]*$: one line, not only spaces.
        guard !customer.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }),
              !customer.unicodeScalars.allSatisfy({ $0.properties.isWhitespace })
        else {
            throw APIProblem.badRequest("request.invalid_field", "customer must be a name on one line")
        }
        let expiresText = body["expiresIn"] == nil ? "14d" : try body.string("expiresIn", maxLength: 16)
        guard let expiresIn = Timestamp.duration(expiresText) else {
            throw APIProblem.badRequest("request.invalid_field", "expiresIn must be like 14d, 36h or 90m (1 minute to 365 days)")
        }
        var tenantProof: TenantProofPolicy?
        if body["tenantProof"] != nil {
            guard let policy = TenantProofPolicy(rawValue: try body.string("tenantProof", maxLength: 16)) else {
                throw APIProblem.badRequest("request.invalid_field", "tenantProof must be required or optional")
            }
            guard limits.invites.signIn != nil else {
                throw APIProblem.badRequest("request.invalid_field", "tenantProof needs Sign in with Microsoft: set entra_client_id on the server first")
            }
            tenantProof = policy
        }
        var tenantId: String?
        if body["tenantId"] != nil {
            let text = try body.string("tenantId", maxLength: 64)
            guard HandoffValues.isGUID(text), text.utf8.count == 36 else {
                throw APIProblem.badRequest("request.invalid_field", "tenantId must be the customer's Directory (tenant) ID, a GUID")
            }
            tenantId = text.lowercased()
        }
        let created = try await store.createHandoff(customer: customer, expiresIn: expiresIn, tenantId: tenantId, context: storeContext(context, principal))
        let template = limits.invites
        let invite = InviteCode(
            handoffId: created.handoffId, recipientKey: created.recipientKey, server: publicURL(),
            serverKey: try store.serverSigningKey(), token: created.token, generatorSigningKey: created.generatorSigningKey,
            signIn: template.signIn, tenantProof: tenantProof, tenantId: tenantId, redirectUri: template.redirectUri, appIdUriHost: template.appIdUriHost
        )
        return .json(CreatedInvite(handoffId: created.handoffId, inviteCode: invite.encoded(), expiresAt: created.expiresAt), status: .created)
    }

    /// `DELETE /v1/handoffs/{id}` (admin): revoke and destroy its sealed data.
    @Sendable func revokeHandoff(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let id = try handoffId(context)
        let principal = try authorize(context, HandoffAction.revoke.roles, handoffId: id)
        try await store.revokeHandoff(id: id, context: storeContext(context, principal))
        return .json(HandoffStateChange(handoffId: id, state: HandoffAction.revoke.state(after: .invited)))
    }

    /// `POST /v1/tokens` (admin): a generator, auditor or admin token, shown once; optionally
    /// expiring (`expiresIn`, like invites).
    @Sendable func createToken(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let principal = try authorize(context, [.admin])
        var request = request
        let body = try await request.jsonObject(required: ["role", "name"], allowed: ["role", "name", "expiresIn"])
        guard let role = Role(rawValue: try body.string("role")), role != .customer else {
            throw APIProblem.badRequest("request.invalid_field", "role must be generator, auditor or admin")
        }
        var expiresIn: TimeInterval?
        if body["expiresIn"] != nil {
            guard let seconds = Timestamp.duration(try body.string("expiresIn", maxLength: 16)) else {
                throw APIProblem.badRequest("request.invalid_field", "expiresIn must be like 90d, 36h or 90m (1 minute to 365 days)")
            }
            expiresIn = seconds
        }
        let issued = try await store.createToken(
            role: role, name: try body.string("name", maxLength: 200), expiresIn: expiresIn, context: storeContext(context, principal)
        )
        return .json(issued, status: .created)
    }

    /// `GET /v1/tokens` (admin): every role token's id, role, name and dates — never a token.
    @Sendable func listTokens(_ request: Request, context: VaultRequestContext) async throws -> Response {
        _ = try authorize(context, [.admin])
        return .json(TokenList(try await store.tokens()))
    }

    /// `DELETE /v1/tokens/{id}` (admin); 409 for the last active admin token.
    @Sendable func revokeToken(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let principal = try authorize(context, [.admin])
        guard let id = context.parameters.get("id"), id.hasPrefix("tok_"), id.count <= 40 else { throw APIProblem.notFound("no such token") }
        try await store.revokeToken(id: id, context: storeContext(context, principal))
        return .json(TokenRevocation(id: id))
    }
}
