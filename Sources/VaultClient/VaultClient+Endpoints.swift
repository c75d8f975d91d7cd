import HandoffDomain
internal import NIOHTTP1
import VaultCrypto

/// A handoff as the API lists it. Everything in it comes from the server and is untrusted: the id
/// is checked to be a lowercase UUID (it becomes a file name), the state one of the known states;
/// the customer name is arbitrary text.
public struct HandoffInfo: Sendable, Equatable {
    public let handoffId: String
    public let customer: String
    public let state: HandoffState
    public let expiresAt: String
    public let receipts: [String]

    init(_ json: JSONValue) throws {
        guard let m = json.objectValue, let id = m["handoffId"]?.stringValue, let customer = m["customer"]?.stringValue,
              let stateText = m["state"]?.stringValue, let expiresAt = m["expiresAt"]?.stringValue,
              let receipts = m["receipts"]?.arrayValue?.compactMap(\.stringValue)
        else { throw ClientError(.malformedResponse, "a handoff in the answer is incomplete") }
        guard HandoffValues.isHandoffId(id) else {
            throw ClientError(.malformedResponse, "the server named a handoff whose id is not a lowercase UUID; nothing was written")
        }
        guard let state = HandoffState(rawValue: stateText) else {
            throw ClientError(.malformedResponse, "the server named a handoff state this CLI does not know")
        }
        handoffId = id
        self.customer = customer
        self.state = state
        self.expiresAt = expiresAt
        self.receipts = receipts
    }
}

extension VaultClient {
    func field(_ json: JSONValue, _ name: String) throws -> String {
        guard let value = json.objectValue?[name]?.stringValue else {
            throw ClientError(.malformedResponse, "the answer has no \(name)")
        }
        return value
    }

    /// `PUT /v1/recipient`; returns the key id.
    public func setRecipient(_ keys: GeneratorPublicKeys) async throws -> String {
        var body: [String: JSONValue] = ["publicKey": .string(Base64.encode(keys.sealing.bytes))]
        if let signing = keys.signing { body["signingPublicKey"] = .string(Base64.encode(signing.bytes)) }
        return try field(try await send(.PUT, "/v1/recipient", body: .object(body)), "keyId")
    }

    /// `PUT /v1/handoffs/{id}/package`: the signed package.
    public func deliverPackage(handoffId: String, zip: [UInt8], signature: String) async throws {
        _ = try await send(.PUT, "/v1/handoffs/\(handoffId)/package", body: ["package": .string(Base64.encode(zip)), "signature": .string(signature)])
    }

    /// `GET /v1/handoffs/{id}/package`: the zip and the signature note, unverified (the caller
    /// verifies them against the key it trusts, never one the server names).
    public func package(handoffId: String) async throws -> (zip: [UInt8], signature: String) {
        let json = try await send(.GET, "/v1/handoffs/\(handoffId)/package")
        guard try field(json, "handoffId") == handoffId, let zip = try? Base64.decode(try field(json, "package")) else {
            throw ClientError(.malformedResponse, "the package in the answer is not base64, or is for another handoff")
        }
        return (zip, try field(json, "signature"))
    }

    /// `POST /v1/handoffs`; returns the handoff id, invite code and expiry.
    public func createHandoff(customer: String, expiresIn: String) async throws -> (handoffId: String, inviteCode: String, expiresAt: String) {
        let json = try await send(.POST, "/v1/handoffs", body: ["customer": .string(customer), "expiresIn": .string(expiresIn)])
        return (try field(json, "handoffId"), try field(json, "inviteCode"), try field(json, "expiresAt"))
    }

    /// `GET /v1/handoffs[?state=…]`.
    public func handoffs(state: String? = nil) async throws -> [HandoffInfo] {
        let json = try await send(.GET, "/v1/handoffs" + (state.map { "?state=\($0)" } ?? ""))
        guard let list = json.objectValue?["handoffs"]?.arrayValue else {
            throw ClientError(.malformedResponse, "the answer has no handoffs list")
        }
        return try list.map(HandoffInfo.init)
    }

    /// `GET /v1/handoffs/{id}`.
    public func handoff(_ id: String) async throws -> HandoffInfo {
        try HandoffInfo(try await send(.GET, "/v1/handoffs/\(id)"))
    }

    /// `POST /v1/handoffs/{id}/submissions`; returns the submission id and the receipt note.
    public func submit(handoffId: String, sealed: [UInt8], recipientKeyId: String) async throws -> (submissionId: String, receipt: String) {
        let json = try await send(.POST, "/v1/handoffs/\(handoffId)/submissions", body: [
            "sealed": .string(Base64.encode(sealed)), "recipientKeyId": .string(recipientKeyId),
        ])
        return (try field(json, "submissionId"), try field(json, "receipt"))
    }

    /// `GET /v1/handoffs/{id}/submissions/latest`; returns the submission id, the sealed box and
    /// the id of the generator key it was sealed to.
    public func latestSubmission(handoffId: String) async throws -> (submissionId: String, sealed: [UInt8], recipientKeyId: String) {
        let json = try await send(.GET, "/v1/handoffs/\(handoffId)/submissions/latest")
        guard let sealed = try? Base64.decode(try field(json, "sealed")) else {
            throw ClientError(.malformedResponse, "the sealed box in the answer is not base64")
        }
        let submissionId = try field(json, "submissionId")
        guard HandoffValues.isHandoffId(submissionId) else {
            throw ClientError(.malformedResponse, "the server named a submission whose id is not a lowercase UUID")
        }
        return (submissionId, sealed, try field(json, "recipientKeyId"))
    }

    /// `POST /v1/handoffs/{id}/ack`.
    public func acknowledge(handoffId: String) async throws {
        _ = try await send(.POST, "/v1/handoffs/\(handoffId)/ack", body: [:])
    }

    /// `DELETE /v1/handoffs/{id}`: revokes the handoff and purges its sealed data.
    public func revokeHandoff(_ id: String) async throws {
        _ = try await send(.DELETE, "/v1/handoffs/\(id)")
    }

    /// `POST /v1/tokens`; returns the id, the token (shown once) and the expiry, if any.
    public func createToken(role: String, name: String, expiresIn: String?) async throws -> (id: String, token: String, role: String, expiresAt: String?) {
        var body: [String: JSONValue] = ["role": .string(role), "name": .string(name)]
        if let expiresIn { body["expiresIn"] = .string(expiresIn) }
        let json = try await send(.POST, "/v1/tokens", body: .object(body))
        return (try field(json, "id"), try field(json, "token"), try field(json, "role"), json.objectValue?["expiresAt"]?.stringValue)
    }

    /// `GET /v1/tokens`: the role tokens, never a token value.
    public func tokens() async throws -> [TokenInfo] {
        let json = try await send(.GET, "/v1/tokens")
        guard let list = json.objectValue?["tokens"]?.arrayValue else {
            throw ClientError(.malformedResponse, "the answer has no tokens list")
        }
        return try list.map(TokenInfo.init)
    }

    /// `DELETE /v1/tokens/{id}`.
    public func revokeToken(_ id: String) async throws {
        _ = try await send(.DELETE, "/v1/tokens/\(id)")
    }
}

/// A role token as `GET /v1/tokens` lists it.
public struct TokenInfo: Sendable, Equatable {
    public let id: String
    public let role: String
    public let name: String
    public let createdAt: String
    public let expiresAt: String?
    public let revokedAt: String?

    init(_ json: JSONValue) throws {
        guard let m = json.objectValue, let id = m["id"]?.stringValue, let role = m["role"]?.stringValue,
              let name = m["name"]?.stringValue, let createdAt = m["createdAt"]?.stringValue
        else { throw ClientError(.malformedResponse, "a token in the answer is incomplete") }
        self.id = id
        self.role = role
        self.name = name
        self.createdAt = createdAt
        expiresAt = m["expiresAt"]?.stringValue
        revokedAt = m["revokedAt"]?.stringValue
    }
}

/// A signed checkpoint as the API serves it.
public struct CheckpointInfo: Sendable {
    public let note: String
    public let treeSize: Int64
}

extension VaultClient {
    /// `GET /v1/audit/checkpoint`.
    public func checkpoint() async throws -> CheckpointInfo {
        let json = try await send(.GET, "/v1/audit/checkpoint")
        guard let size = json.objectValue?["treeSize"]?.integerValue else {
            throw ClientError(.malformedResponse, "the answer has no treeSize")
        }
        return CheckpointInfo(note: try field(json, "checkpoint"), treeSize: size)
    }

    /// `GET /v1/audit/events?after=N&limit=M`: (index, canonical bytes) pairs.
    public func auditEvents(after start: Int64, limit: Int) async throws -> [(index: Int64, bytes: [UInt8])] {
        let json = try await send(.GET, "/v1/audit/events?after=\(start)&limit=\(limit)")
        guard let list = json.objectValue?["events"]?.arrayValue else {
            throw ClientError(.malformedResponse, "the answer has no events")
        }
        return try list.map { item in
            guard let m = item.objectValue, let index = m["index"]?.integerValue, let text = m["event"]?.stringValue else {
                throw ClientError(.malformedResponse, "an event in the answer is incomplete")
            }
            return (index, Array(text.utf8))
        }
    }

    /// `GET /v1/audit/proof/inclusion?index=N&size=S`: the event's bytes and its audit path.
    public func inclusionProof(index: Int64, size: Int64) async throws -> (event: [UInt8], proof: [[UInt8]]) {
        let json = try await send(.GET, "/v1/audit/proof/inclusion?index=\(index)&size=\(size)")
        guard let proof = json.objectValue?["proof"]?.arrayValue?.compactMap({ $0.stringValue.flatMap { try? Base64.decode($0) } }) else {
            throw ClientError(.malformedResponse, "the answer has no proof")
        }
        return (Array(try field(json, "event").utf8), proof)
    }
}
