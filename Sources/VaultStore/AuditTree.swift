import Foundation
import Synchronization
import GRDB
import HandoffDomain

/// The Merkle tree over the audit events, kept in `merkleNode` inside the same transaction as
/// each event.
enum AuditTree {
    /// Adds leaf `index` and every perfect subtree it completes: at most log2(n) inserts. Every
    /// statement here runs on each audited request, so each is prepared once per connection
    /// (`cachedStatement`) rather than compiled per call.
    static func append(_ db: Database, index: Int64, leafHash: [UInt8]) throws {
        let siblings = try AuditRule.siblings(ofLeaf: index).map { try node(db, level: $0.level, index: $0.index) }
        for (node, hash) in try AuditRule.nodes(appendingLeaf: index, leafHash: leafHash, siblingHashes: siblings) {
            try insert(db, level: node.level, index: node.index, hash: hash)
        }
    }

    private static func insert(_ db: Database, level: Int, index: Int64, hash: [UInt8]) throws {
        try db.cachedStatement(sql: "INSERT INTO merkleNode (level, idx, hash) VALUES (?, ?, ?)").execute(arguments: [level, index, Data(hash)])
    }

    static func node(_ db: Database, level: Int, index: Int64) throws -> [UInt8] {
        guard let data = try Data.fetchOne(db.cachedStatement(sql: "SELECT hash FROM merkleNode WHERE level = ? AND idx = ?"), arguments: [level, index]) else {
            throw AuditRule.missing(AuditRule.Node(level: level, index: index))
        }
        return [UInt8](data)
    }

    /// The number of leaves in the tree: the tree's own count, not the event table's, so that a
    /// row slipped into the table does not change what gets signed.
    static func size(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(idx) + 1, 0) FROM merkleNode WHERE level = 0")) ?? 0
    }

    static func nodes(_ db: Database) -> MerkleTree.NodeSource {
        { level, index in try node(db, level: level, index: index) }
    }

    /// Signs and keeps the checkpoint for the current size (once per size).
    @discardableResult
    static func checkpoint(_ db: Database, signer: CheckpointSigner, now: Date) throws -> (note: String, checkpoint: AuditCheckpoint) {
        let size = try size(db)
        let root = try MerkleTree.rootHash(size: size, nodes: nodes(db))
        let checkpoint = AuditCheckpoint(origin: signer.keys.keyName, size: size, rootHash: root)
        if let note = try String.fetchOne(db, sql: "SELECT note FROM checkpoint WHERE treeSize = ?", arguments: [size]) {
            return (note, checkpoint)
        }
        let note = try checkpoint.signed(with: signer.keys.signing)
        try db.execute(sql: "INSERT INTO checkpoint (treeSize, note, createdAt) VALUES (?, ?, ?)", arguments: [size, note, now])
        return (note, checkpoint)
    }
}

/// The server keys a store holds once they are opened, and how often it signs a checkpoint: one
/// holder, shared by every store (`useKeys`, `keys()`, `signer`).
package final class ServerKeyHolder: Sendable {
    private let value = Mutex<CheckpointSigner?>(nil)

    package init() {}

    /// Holds `keys` from now on, signing a checkpoint every `checkpointInterval` audit events.
    package func use(_ keys: ServerKeys, checkpointInterval: Int64) {
        value.withLock { $0 = CheckpointSigner(keys: keys, interval: checkpointInterval) }
    }

    /// The keys and cadence, or nil before the keys were opened.
    package var signer: CheckpointSigner? { value.withLock { $0 } }

    /// The server's keys, or `keysUnavailable` before they were opened.
    package func keys() throws -> ServerKeys {
        guard let signer else { throw StoreError(.keysUnavailable, "the server keys are not loaded") }
        return signer.keys
    }
}

/// What the store needs to sign checkpoints as events are appended: the server keys and how often.
package struct CheckpointSigner: Sendable {
    package let keys: ServerKeys
    /// Sign a checkpoint every `interval` events (1 signs after every event).
    package let interval: Int64

    package init(keys: ServerKeys, interval: Int64) {
        self.keys = keys
        self.interval = max(1, interval)
    }
}
