import Foundation
import HandoffDomain
import VaultCrypto

/// The vault's storage as domain operations: what the API needs, and all it may do. Each
/// operation that changes something is one transaction with its audit event inside it: it
/// happens whole, audited, or not at all (and then throws a `StoreError`). The store holds the
/// server's keys; callers never pass them. `VaultDatabase` (SQLite) implements it; a second
/// backend implements the same protocol and passes the same tests.
package protocol HandoffStore: Sendable {
    // MARK: Access

    /// The caller a token belongs to, if it exists, is not revoked or expired, and (for an
    /// invite) its handoff still accepts the customer.
    func principal(for token: BearerToken, now: Date) async throws -> Principal?
    /// The key that signs receipts and checkpoints, which invites pin.
    func serverSigningKey() throws -> SigningPublicKey

    // MARK: Handoffs

    /// Registers the generator's keys that new invites pin; returns the sealing key's id.
    func setRecipientKey(_ key: SealingPublicKey, signingKey: SigningPublicKey?, context: OperationContext) async throws -> String
    /// A new handoff and its invite token; `tenantId` pins the customer's tenant (lowercase GUID).
    func createHandoff(customer: String, expiresIn: TimeInterval, tenantId: String?, context: OperationContext) async throws -> CreatedHandoff
    /// Every handoff (or those in `state`), newest first.
    func handoffs(state: HandoffState?, now: Date) async throws -> [HandoffSummary]
    /// One handoff.
    func handoff(id: String, now: Date) async throws -> HandoffSummary
    /// Revokes a handoff and destroys its sealed data.
    func revokeHandoff(id: String, context: OperationContext) async throws
    /// The generator built the package.
    func acknowledge(handoffId: String, context: OperationContext) async throws

    // MARK: Submissions and packages

    /// Stores a sealed box (at most `limit` per handoff) and returns the signed receipt, after commit.
    func storeSubmission(handoffId: String, sealed: [UInt8], recipientKeyId: String, limit: Int, context: OperationContext) async throws -> SubmissionReceipt
    /// The latest sealed box, for the generator; audited, unless it was released before and
    /// `auditRepeat` is false (then `audited` is false and the caller counts it).
    func releaseLatest(handoffId: String, auditRepeat: Bool, context: OperationContext) async throws -> (released: ReleasedSubmission, audited: Bool)
    /// Stores the generator's signed package, after checking the signature the invite pins;
    /// answers what was stored (its SHA-256 and size).
    func storePackage(handoffId: String, zip: [UInt8], signature: String, context: OperationContext) async throws -> PackageDelivery
    /// The delivered package, audited `package.fetched` when `audited` (else a repeat the caller counts).
    func fetchPackage(handoffId: String, audited: Bool, context: OperationContext) async throws -> DeliveredPackage

    // MARK: Tokens

    /// A new role token, shown once.
    func createToken(role: Role, name: String, expiresIn: TimeInterval?, context: OperationContext) async throws -> IssuedToken
    /// Every role token, never a token value.
    func tokens() async throws -> [TokenSummary]
    /// Revokes a role token (never the last active admin token).
    func revokeToken(id: String, context: OperationContext) async throws
    /// Audits requests counted together (refusals, repeated reads), one event per tally.
    func recordTallies(_ tallies: [AuditTally], now: Date) async throws

    // MARK: Audit log

    /// The number of audit events.
    func auditSize() async throws -> Int64
    /// Events from index `start`, in order.
    func auditEvents(from start: Int64, limit: Int) async throws -> [IndexedAuditEvent]
    /// The signed checkpoint of the current tree.
    func currentCheckpoint(now: Date) async throws -> (note: String, checkpoint: AuditCheckpoint)
    /// The inclusion proof of event `index` in the tree of `size` events.
    func inclusionProof(index: Int64, size: Int64) async throws -> InclusionProof
    /// The consistency proof between two tree sizes.
    func consistencyProof(from first: Int64, to second: Int64) async throws -> [[UInt8]]

    // MARK: Events

    /// The outbox's events with id > `after`, oldest first, at most `limit`: each written in the
    /// transaction of the change it announces, so it exists if and only if the change committed.
    func events(after: Int64, limit: Int) async throws -> [HandoffEvent]
    /// The newest event's id (-1 when there is none).
    func latestEventId() async throws -> Int64

    // MARK: Webhooks

    /// A new endpoint, sent the events after the newest one now; audited `webhook.added`.
    func addWebhook(url: String, events: [HandoffEvent.Kind], context: OperationContext) async throws -> WebhookEndpoint
    /// Every endpoint, oldest first.
    func webhooks() async throws -> [WebhookEndpoint]
    /// Removes an endpoint and its delivery log; audited `webhook.removed`.
    func removeWebhook(id: String, context: OperationContext) async throws
    /// An endpoint's latest delivery attempts, newest first.
    func webhookDeliveries(id: String, limit: Int) async throws -> [WebhookDelivery]
    /// The enabled endpoints with an event to send and no attempt pending until later, which no
    /// other node holds: each is held for this caller for `WebhookRule.lease`.
    func claimDueWebhooks(now: Date) async throws -> [WebhookEndpoint]
    /// Records one attempt at event `eventId` and the state it leaves the endpoint in (held on
    /// after a delivery, for the next event; released after a failure).
    func recordWebhookAttempt(id: String, eventId: Int64, attempt: WebhookAttempt, now: Date, jitter: Double) async throws
    /// Moves an endpoint past events it does not want, up to `eventId`.
    func passOverWebhookEvents(id: String, through eventId: Int64) async throws
    /// Lets other nodes send to an endpoint again.
    func releaseWebhook(id: String) async throws
    /// Endpoint `id`'s signature (Ed25519, its own derived key) of a delivery's signed content.
    func webhookSignature(endpointId: String, message: [UInt8]) throws -> [UInt8]
    /// Endpoint `id`'s public signing key, shown to the admin as `whpk_…`.
    func webhookPublicKey(endpointId: String) throws -> SigningPublicKey

    // MARK: Witnesses

    /// The newest signed checkpoint kept (nil before the first).
    func latestCheckpoint() async throws -> (note: String, checkpoint: AuditCheckpoint)?
    /// The witnesses' cosignature lines kept for the checkpoint of `treeSize`.
    func cosignatures(treeSize: Int64) async throws -> [String]
    /// Keeps a witness's cosignature line for the checkpoint of `treeSize` (the newest line of a
    /// witness for one size wins).
    func addCosignature(witness: String, treeSize: Int64, line: String, now: Date) async throws
    /// The largest tree size each witness has cosigned, by witness name.
    func cosignedSizes() async throws -> [String: Int64]

    // MARK: Operations

    /// Crypto-shreds what retention says must go, in batches; reports the purged handoff ids.
    func purge(now: Date, policy: RetentionPolicy) async throws -> PurgeReport
    /// Whether the storage answers (readiness).
    func isReachable() async -> Bool
    /// Bytes the storage uses on this node, if it can tell (a metric).
    func storageBytes() -> Int?
}

extension HandoffStore {
    /// A new handoff whose tenant is not pinned.
    package func createHandoff(customer: String, expiresIn: TimeInterval, context: OperationContext) async throws -> CreatedHandoff {
        try await createHandoff(customer: customer, expiresIn: expiresIn, tenantId: nil, context: context)
    }
}

extension VaultDatabase: HandoffStore {
    package func principal(for token: BearerToken, now: Date) async throws -> Principal? {
        try await principal(forTokenHash: try keys().tokenHash(token), now: now)
    }

    package func serverSigningKey() throws -> SigningPublicKey { try keys().signing.publicKey }

    package func webhookSignature(endpointId: String, message: [UInt8]) throws -> [UInt8] {
        try keys().webhookSigningKey(endpointId: endpointId).sign(message)
    }

    package func webhookPublicKey(endpointId: String) throws -> SigningPublicKey {
        try keys().webhookSigningKey(endpointId: endpointId).publicKey
    }

    package func storageBytes() -> Int? {
        ["", "-wal"].reduce(0) { total, suffix in
            total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
        }
    }
}
