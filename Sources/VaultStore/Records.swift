import Foundation
import GRDB
import HandoffDomain

/// A handoff row: who it is for, its state and its pinned recipient key. Never values. Both
/// stores read their rows into it.
package struct HandoffRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "handoff"
    package var id: String
    package var customer: String
    package var state: HandoffState
    package var recipientKeyId: String
    package var createdAt: Date
    package var expiresAt: Date
    package var releasedAt: Date?
    package var acknowledgedAt: Date?
    /// Submissions received, for the per-handoff cap.
    package var submissionCount: Int
    /// The customer's tenant, when the operator pinned it in the invite.
    package var tenantId: String?

    package init(
        id: String, customer: String, state: HandoffState, recipientKeyId: String, createdAt: Date, expiresAt: Date,
        releasedAt: Date?, acknowledgedAt: Date?, submissionCount: Int, tenantId: String? = nil
    ) {
        self.id = id
        self.customer = customer
        self.state = state
        self.recipientKeyId = recipientKeyId
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.releasedAt = releasedAt
        self.acknowledgedAt = acknowledgedAt
        self.submissionCount = submissionCount
        self.tenantId = tenantId
    }

    package enum Columns {
        package static let state = Column(CodingKeys.state)
        package static let createdAt = Column(CodingKeys.createdAt)
    }

    /// The state as a reader sees it at `now`: an invite past its expiry is `expired` even before
    /// the purge task has rewritten the row.
    package func effectiveState(at now: Date) -> HandoffState {
        state.effective(expiresAt: expiresAt, at: now)
    }

    /// Whether the invite's holder may still use it at `now`: never after `expiresAt`, whatever
    /// the state (an acknowledged handoff included), and never once it stops taking submissions.
    package func acceptsCustomer(at now: Date) -> Bool {
        state.acceptsCustomer(expiresAt: expiresAt, at: now)
    }

    /// The handoff as the API shows it at `now`, with `receipts` and when its package was
    /// delivered (nil: none). It was picked up when the generator fetched its latest submission.
    package func summary(receipts: [String], deliveredAt: Date?, now: Date) -> HandoffSummary {
        let state = effectiveState(at: now)
        return HandoffSummary(
            id: id, customer: customer, state: state, createdAt: createdAt, expiresAt: expiresAt, receipts: receipts, tenantId: tenantId,
            pickedUpAt: state.hasReleasedLatest ? releasedAt : nil, deliveredAt: deliveredAt
        )
    }
}

/// A submission row: the sealed box encrypted once more at rest, and what its receipt says.
struct SubmissionRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "submission"
    var id: String
    var handoffId: String
    var recipientKeyId: String
    var receivedAt: Date
    var auditIndex: Int64
    var sealedSHA256: Data
    var ciphertext: Data
    var wrappedKey: Data
    /// The master key version that wraps `wrappedKey` now.
    var keyVersion: Int
    /// The master key version the record was written under, bound into its associated data.
    var recordKeyVersion: Int
    /// The signed receipt note (public: it holds a hash, ids and a time).
    var receipt: String

    enum Columns {
        static let handoffId = Column(CodingKeys.handoffId)
        static let receivedAt = Column(CodingKeys.receivedAt)
    }
}

/// A delivered Teams package: the zip encrypted at rest like a submission, its digest and size,
/// and the generator's signature note (public: it holds a hash, an id and a size).
struct PackageRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "package"
    var id: String
    var handoffId: String
    var deliveredAt: Date
    var sha256: Data
    var size: Int
    var signature: String
    var ciphertext: Data
    var wrappedKey: Data
    var keyVersion: Int
    var recordKeyVersion: Int

    enum Columns {
        static let handoffId = Column(CodingKeys.handoffId)
    }
}

/// A token row: the keyed hash of the token, never the token.
struct TokenRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "token"
    var id: String
    var role: Role
    var name: String
    var handoffId: String?
    var hash: Data
    var createdAt: Date
    var revokedAt: Date?
    /// When a role token stops working (nil: until revoked). Invites expire with their handoff.
    var expiresAt: Date?

    enum Columns {
        static let hash = Column(CodingKeys.hash)
        static let role = Column(CodingKeys.role)
        static let createdAt = Column(CodingKeys.createdAt)
    }

    /// Whether the token opens anything at `now` (its handoff's state aside).
    func isActive(at now: Date) -> Bool {
        revokedAt == nil && expiresAt.map { now < $0 } ?? true
    }
}

/// A registered generator public key (X25519, and Ed25519 for package signatures when given).
struct RecipientKeyRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "recipientKey"
    var id: String
    var publicKey: Data
    var createdAt: Date
    var active: Bool
    var signingPublicKey: Data?

    enum Columns {
        static let active = Column(CodingKeys.active)
        static let createdAt = Column(CodingKeys.createdAt)
    }
}

/// One of the server's own secrets (signing seed, token pepper), wrapped by the master key.
struct ServerSecretRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "serverSecret"
    var name: String
    var wrapped: Data
    var keyVersion: Int
}

/// An audit event: its canonical bytes and leaf hash, by index.
struct AuditEventRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "auditEvent"
    var id: Int64
    var event: Data
    var leafHash: Data
}

/// A setting that is public (the server key's name, say).
struct SettingRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "setting"
    var name: String
    var value: String
}
