import VaultCrypto

/// One audit log entry (DESIGN.md, "Audit event"). Its canonical JSON bytes are what the Merkle
/// tree hashes; they name token ids, never tokens, and never any value.
package struct AuditEvent: Sendable, Equatable {
    /// What happened.
    package enum Action: String, Sendable {
        case initialized = "server.initialized"
        case masterKeyRotated = "server.master_key_rotated"
        case recipientSet = "recipient.set"
        case handoffCreated = "handoff.created"
        case handoffRevoked = "handoff.revoked"
        case submissionReceived = "submission.received"
        /// The latest submission was handed to the generator; repeats of an already released one
        /// by one credential within a window are one event with their `count`.
        case submissionReleased = "submission.released"
        case handoffAcknowledged = "handoff.acknowledged"
        /// The generator's signed package was stored for the customer.
        case packageDelivered = "package.delivered"
        /// The package was downloaded (by the customer, the generator or an admin); the repeats of
        /// one credential within a window are one event with their `count`.
        case packageFetched = "package.fetched"
        /// Sealed data destroyed by retention (after acknowledgement, expiry or revocation).
        case handoffPurged = "handoff.purged"
        case tokenCreated = "token.created"
        case tokenRevoked = "token.revoked"
        /// An admin added a webhook endpoint (its id in `target`; never its URL's secrets).
        case webhookAdded = "webhook.added"
        case webhookRemoved = "webhook.removed"
        /// Requests refused for their credential, role or target (401, 403, 404, 429), one event
        /// per client network and window, with their `count`.
        case requestRefused = "request.refused"
        /// Written before refusals were aggregated: an address over the failed-authentication limit.
        case rateLimited = "request.rate_limited"
    }

    /// What an admin action acted on (DESIGN.md, "Audit event"): ids and roles, never secrets.
    package struct Target: Sendable, Equatable {
        package var tokenId: String?
        package var role: String?
        package var recipientKeyId: String?
        package var webhookId: String?

        /// A role token.
        package static func token(id: String, role: Role) -> Target { Target(tokenId: id, role: role.rawValue) }
        /// A registered generator key.
        package static func recipientKey(id: String) -> Target { Target(recipientKeyId: id) }
        /// A webhook endpoint.
        package static func webhook(id: String) -> Target { Target(webhookId: id) }

        init(tokenId: String? = nil, role: String? = nil, recipientKeyId: String? = nil, webhookId: String? = nil) {
            self.tokenId = tokenId
            self.role = role
            self.recipientKeyId = recipientKeyId
            self.webhookId = webhookId
        }

        var json: JSONValue {
            var members: [String: JSONValue] = [:]
            if let tokenId { members["tokenId"] = .string(tokenId) }
            if let role { members["role"] = .string(role) }
            if let recipientKeyId { members["recipientKeyId"] = .string(recipientKeyId) }
            if let webhookId { members["webhookId"] = .string(webhookId) }
            return .object(members)
        }
    }

    /// How it ended.
    package enum Outcome: String, Sendable {
        case success
        case denied
    }

    package let index: Int64
    /// RFC 3339 UTC.
    package let time: String
    package let action: Action
    package let outcome: Outcome
    /// The role (or `anonymous`) and the token id (or `-`).
    package let actorRole: String
    package let actorId: String
    package let handoffId: String?
    package let submissionId: String?
    /// What an admin action acted on.
    package let target: Target?
    /// How many refused requests an aggregated `request.refused` event stands for.
    package let count: Int64?
    /// The client address (for aggregated refusals, the network: an IPv4 address or an IPv6 /64).
    package let remote: String
    package let requestId: String

    /// Creates an event.
    package init(
        index: Int64, time: String, action: Action, outcome: Outcome, actorRole: String, actorId: String,
        handoffId: String? = nil, submissionId: String? = nil, target: Target? = nil, count: Int64? = nil,
        remote: String, requestId: String
    ) {
        self.index = index
        self.time = time
        self.action = action
        self.outcome = outcome
        self.actorRole = actorRole
        self.actorId = actorId
        self.handoffId = handoffId
        self.submissionId = submissionId
        self.target = target
        self.count = count
        self.remote = remote
        self.requestId = requestId
    }

    /// The canonical bytes that are stored, exported and hashed.
    package var canonicalBytes: [UInt8] {
        var members: [String: JSONValue] = [
            "index": .integer(index),
            "time": .string(time),
            "action": .string(action.rawValue),
            "outcome": .string(outcome.rawValue),
            "actor": ["role": .string(actorRole), "id": .string(actorId)],
            "remote": .string(remote),
            "requestId": .string(requestId),
        ]
        if let handoffId { members["handoffId"] = .string(handoffId) }
        if let submissionId { members["submissionId"] = .string(submissionId) }
        if let target { members["target"] = target.json }
        if let count { members["count"] = .integer(count) }
        return CanonicalJSON.encode(.object(members))
    }

    /// RFC 9162 leaf hash: SHA-256(0x00 ‖ canonical bytes).
    package static func leafHash(_ canonicalBytes: [UInt8]) throws -> [UInt8] {
        try SHA256.hash([0x00] + canonicalBytes)
    }
}
