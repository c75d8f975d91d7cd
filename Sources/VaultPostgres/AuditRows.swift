import Foundation
import HandoffDomain
import VaultStore

/// Audit events computed in memory from the tree's right edge, with every Merkle node each one
/// completes, the handoff event each announces and the signed checkpoints due after them: what
/// one statement (`PreparedStatements.AppendAudit`) or one bulk load's `COPY` writes. Appending
/// many events thus costs one round trip, not one per event (a purge batch appends fifty
/// with the audit lock held).
struct AuditRows {
    /// The tree as it will stand once these rows are written.
    private(set) var position: AuditCursor.Position
    private let signer: CheckpointSigner?

    private(set) var events: [(index: Int64, event: [UInt8], leafHash: [UInt8])] = []
    private(set) var nodes: [(level: Int64, index: Int64, hash: [UInt8])] = []
    private(set) var announcements: [(id: Int64, type: String, handoffId: String)] = []
    private(set) var checkpoints: [(size: Int64, note: String)] = []

    /// Rows appended after `position`, signing a checkpoint whenever `signer` says one is due.
    init(after position: AuditCursor.Position, signer: CheckpointSigner?) {
        self.position = position
        self.signer = signer
    }

    var isEmpty: Bool { events.isEmpty }

    /// Adds the next event, its bytes and leaf hash made by `entry` for the index it gets
    /// (`AuditRule.entry`), announcing `announcing` for its handoff; returns the index.
    @discardableResult
    mutating func append(
        announcing: (kind: HandoffEvent.Kind, handoffId: String)? = nil, _ entry: (Int64) throws -> (bytes: [UInt8], leafHash: [UInt8])
    ) throws -> Int64 {
        let index = position.size
        let (bytes, leafHash) = try entry(index)
        let appended = try PostgresStore.nodes(appendingLeaf: index, leafHash: leafHash, edge: position.edge)
        events.append((index, bytes, leafHash))
        nodes += appended
        if let announcing { announcements.append((index, announcing.kind.rawValue, announcing.handoffId)) }
        position.advance(past: index, appended: appended)
        if AuditRule.checkpointDue(afterEvent: index, signer: signer), let signer {
            // The perfect subtrees of the new size are exactly its right edge.
            let source = PostgresStore.StoredTree(size: position.size, event: nil, nodes: position.edge).source
            let root = try MerkleTree.rootHash(size: position.size, nodes: source)
            checkpoints.append((position.size, try AuditCheckpoint(origin: signer.keys.keyName, size: position.size, rootHash: root).signed(with: signer.keys.signing)))
        }
        return index
    }

    /// Adds the event of one audited operation (`AuditRule.entry`) and the handoff event it
    /// announces, if any; returns its index.
    @discardableResult
    mutating func append(
        _ action: AuditEvent.Action, outcome: AuditEvent.Outcome = .success, context: OperationContext, handoffId: String? = nil,
        submissionId: String? = nil, target: AuditEvent.Target? = nil, count: Int64? = nil
    ) throws -> Int64 {
        let announced = handoffId.flatMap { handoffId in
            HandoffEvent.Kind(announcing: action, outcome: outcome, count: count).map { (kind: $0, handoffId: handoffId) }
        }
        return try append(announcing: announced) { index in
            try AuditRule.entry(index: index, action, outcome: outcome, context: context, handoffId: handoffId, submissionId: submissionId, target: target, count: count)
        }
    }

    /// Whether `later` was computed from the position these rows reach (its first event comes
    /// right after their last), so one statement can write both.
    func isFollowed(by later: AuditRows) -> Bool {
        later.events.first.map { $0.index == position.size } ?? true
    }

    /// Adds rows that follow these (`isFollowed(by:)`), as one statement writes both; the position
    /// becomes theirs.
    mutating func append(contentsOf later: AuditRows) {
        precondition(isFollowed(by: later), "audit rows appended out of order")
        events += later.events
        nodes += later.nodes
        announcements += later.announcements
        checkpoints += later.checkpoints
        position = later.position
    }

    /// Forgets the rows (once written), keeping the position they reached.
    mutating func removeAll() {
        events = []
        nodes = []
        announcements = []
        checkpoints = []
    }
}
