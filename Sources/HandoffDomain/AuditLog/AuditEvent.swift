import VaultCrypto

/// One audit log entry (DESIGN.md, "Audit event"). Its canonical JSON bytes are what the Merkle
/// tree hashes; they name token ids, never tokens, and never any value.
public struct AuditEvent: Sendable, Equatable {
    /// What happened.
    public enum Action: String, Sendable {
        case initialized = "server.initialized"
        case masterKeyRotated = "server.master_key_rotated"
        case recipientSet = "recipient.set"
        case handoffCreated = "handoff.created"
        case handoffRevoked = "handoff.revoked"
        case submissionReceived = "submission.received"
        case submissionReleased = "submission.released"
        case handoffAcknowledged = "handoff.acknowledged"
        /// Sealed data destroyed by retention (after acknowledgement, expiry or revocation).
        case handoffPurged = "handoff.purged"
        case tokenCreated = "token.created"
        case tokenRevoked = "token.revoked"
        /// A request refused for its credential or role.
        case requestRefused = "request.refused"
        /// An address refused for too many failed authentications (once per window).
        case rateLimited = "request.rate_limited"
    }

    /// How it ended.
    public enum Outcome: String, Sendable {
        case success
        case denied
    }

    public let index: Int64
    /// RFC 3339 UTC.
    public let time: String
    public let action: Action
    public let outcome: Outcome
    /// The role (or `anonymous`) and the token id (or `-`).
    public let actorRole: String
    public let actorId: String
    public let handoffId: String?
    public let submissionId: String?
    /// The client address.
    public let remote: String
    public let requestId: String

    /// Creates an event.
    public init(
        index: Int64, time: String, action: Action, outcome: Outcome, actorRole: String, actorId: String,
        handoffId: String? = nil, submissionId: String? = nil, remote: String, requestId: String
    ) {
        self.index = index
        self.time = time
        self.action = action
        self.outcome = outcome
        self.actorRole = actorRole
        self.actorId = actorId
        self.handoffId = handoffId
        self.submissionId = submissionId
        self.remote = remote
        self.requestId = requestId
    }

    /// The canonical bytes that are stored, exported and hashed.
    public var canonicalBytes: [UInt8] {
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
        return CanonicalJSON.encode(.object(members))
    }

    /// RFC 9162 leaf hash: SHA-256(0x00 ‖ canonical bytes).
    public static func leafHash(_ canonicalBytes: [UInt8]) throws -> [UInt8] {
        try SHA256.hash([0x00] + canonicalBytes)
    }
}
