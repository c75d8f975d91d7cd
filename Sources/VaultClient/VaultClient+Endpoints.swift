import HandoffDomain
internal import NIOHTTP1
import VaultCrypto

/// The API's endpoints, one method each, answering the domain's wire models (`WireModel`): the
/// same types the server encodes, decoded here as untrusted input.
extension VaultClient {
    /// `PUT /v1/recipient`; returns the key id.
    package func setRecipient(_ keys: GeneratorPublicKeys) async throws -> RecipientRegistration {
        var body: [String: JSONValue] = ["publicKey": .string(Base64.encode(keys.sealing.bytes))]
        if let signing = keys.signing { body["signingPublicKey"] = .string(Base64.encode(signing.bytes)) }
        return try await send(.PUT, "/v1/recipient", body: .object(body))
    }

    /// `PUT /v1/handoffs/{id}/package`: the signed package.
    package func deliverPackage(handoffId: String, zip: [UInt8], signature: String) async throws -> PackageDelivery {
        try await send(.PUT, "/v1/handoffs/\(handoffId)/package", body: ["package": .string(Base64.encode(zip)), "signature": .string(signature)])
    }

    /// `GET /v1/handoffs/{id}/package`: the zip and the signature note, unverified (the caller
    /// verifies them against the key it trusts, never one the server names).
    package func package(handoffId: String) async throws -> DeliveredPackage {
        let package: DeliveredPackage = try await send(.GET, "/v1/handoffs/\(handoffId)/package")
        guard package.handoffId == handoffId else {
            throw ClientError(.malformedResponse, "the package in the answer is for another handoff")
        }
        return package
    }

    /// `POST /v1/handoffs`: the handoff id, invite code and expiry.
    package func createHandoff(
        customer: String, expiresIn: String, tenantProof: TenantProofPolicy? = nil, tenantId: String? = nil
    ) async throws -> CreatedInvite {
        var body: [String: JSONValue] = ["customer": .string(customer), "expiresIn": .string(expiresIn)]
        if let tenantProof { body["tenantProof"] = .string(tenantProof.rawValue) }
        if let tenantId { body["tenantId"] = .string(tenantId) }
        return try await send(.POST, "/v1/handoffs", body: .object(body))
    }

    /// `GET /v1/handoffs[?state=…]`.
    package func handoffs(state: HandoffState? = nil) async throws -> [HandoffSummary] {
        let list: HandoffList = try await send(.GET, "/v1/handoffs" + (state.map { "?state=\($0.rawValue)" } ?? ""))
        return list.handoffs
    }

    /// `GET /v1/handoffs/{id}`.
    package func handoff(_ id: String) async throws -> HandoffSummary {
        try await send(.GET, "/v1/handoffs/\(id)")
    }

    /// `POST /v1/handoffs/{id}/submissions`: the submission id and the receipt note.
    package func submit(handoffId: String, sealed: [UInt8], recipientKeyId: String) async throws -> SubmissionReceipt {
        try await send(.POST, "/v1/handoffs/\(handoffId)/submissions", body: [
            "sealed": .string(Base64.encode(sealed)), "recipientKeyId": .string(recipientKeyId),
        ])
    }

    /// `GET /v1/handoffs/{id}/submissions/latest`: the sealed box and the id of the generator key
    /// it was sealed to.
    package func latestSubmission(handoffId: String) async throws -> ReleasedSubmission {
        try await send(.GET, "/v1/handoffs/\(handoffId)/submissions/latest")
    }

    /// `POST /v1/handoffs/{id}/ack`.
    @discardableResult
    package func acknowledge(handoffId: String) async throws -> HandoffStateChange {
        try await send(.POST, "/v1/handoffs/\(handoffId)/ack", body: [:])
    }

    /// `DELETE /v1/handoffs/{id}`: revokes the handoff and purges its sealed data.
    @discardableResult
    package func revokeHandoff(_ id: String) async throws -> HandoffStateChange {
        try await send(.DELETE, "/v1/handoffs/\(id)")
    }

    /// `POST /v1/tokens`: the id, the token (shown once) and the expiry, if any.
    package func createToken(role: Role, name: String, expiresIn: String?) async throws -> IssuedToken {
        var body: [String: JSONValue] = ["role": .string(role.rawValue), "name": .string(name)]
        if let expiresIn { body["expiresIn"] = .string(expiresIn) }
        return try await send(.POST, "/v1/tokens", body: .object(body))
    }

    /// `GET /v1/tokens`: the role tokens, never a token value.
    package func tokens() async throws -> [TokenSummary] {
        let list: TokenList = try await send(.GET, "/v1/tokens")
        return list.tokens
    }

    /// `DELETE /v1/tokens/{id}`.
    @discardableResult
    package func revokeToken(_ id: String) async throws -> TokenRevocation {
        try await send(.DELETE, "/v1/tokens/\(id)")
    }

    /// `GET /v1/audit/checkpoint`.
    package func checkpoint() async throws -> CheckpointInfo {
        try await send(.GET, "/v1/audit/checkpoint")
    }

    /// `GET /v1/audit/events?after=N&limit=M`.
    package func auditEvents(after start: Int64, limit: Int) async throws -> AuditEventPage {
        try await send(.GET, "/v1/audit/events?after=\(start)&limit=\(limit)")
    }

    /// `GET /v1/audit/proof/inclusion?index=N&size=S`: the event's bytes and its audit path.
    package func inclusionProof(index: Int64, size: Int64) async throws -> InclusionProof {
        try await send(.GET, "/v1/audit/proof/inclusion?index=\(index)&size=\(size)")
    }
}

extension VaultClient {
    /// `POST /v1/webhooks`: the new endpoint with its `whpk_` signing key.
    package func addWebhook(url: String, events: [HandoffEvent.Kind]) async throws -> WebhookEndpoint {
        var body: [String: JSONValue] = ["url": .string(url)]
        if !events.isEmpty { body["events"] = .array(events.map { .string($0.rawValue) }) }
        return try await send(.POST, "/v1/webhooks", body: .object(body))
    }

    /// `GET /v1/webhooks`.
    package func webhooks() async throws -> [WebhookEndpoint] {
        let list: WebhookList = try await send(.GET, "/v1/webhooks")
        return list.webhooks
    }

    /// `DELETE /v1/webhooks/{id}`.
    package func removeWebhook(_ id: String) async throws {
        _ = try await send(.DELETE, "/v1/webhooks/\(id)") as JSONValue
    }

    /// `GET /v1/webhooks/{id}/deliveries`, newest first.
    package func webhookDeliveries(_ id: String) async throws -> [WebhookDelivery] {
        let list: WebhookDeliveryList = try await send(.GET, "/v1/webhooks/\(id)/deliveries")
        return list.deliveries
    }
}
