import HandoffDomain

/// The audit log's rules, the same on every backend: which Merkle nodes an appended event adds
/// (and which stored ones it needs), when a checkpoint is signed, and which proofs may be asked
/// for. A backend stores the nodes and events; it computes nothing itself.
package enum AuditRule {
    /// A node of the tree: `level` 0 is the leaves.
    package struct Node: Sendable, Equatable {
        package let level: Int
        package let index: Int64

        package init(level: Int, index: Int64) {
            self.level = level
            self.index = index
        }
    }

    /// The stored nodes that appending leaf `index` combines with: the left sibling of every
    /// perfect subtree the new leaf completes, lowest level first.
    package static func siblings(ofLeaf index: Int64) -> [Node] {
        var siblings: [Node] = []
        var level = 0
        var position = index
        while position & 1 == 1 {
            siblings.append(Node(level: level, index: position - 1))
            level += 1
            position >>= 1
        }
        return siblings
    }

    /// The nodes appending leaf `index` with `leafHash` adds (the leaf, then each completed
    /// subtree), given the hashes of `siblings(ofLeaf:)` in that order.
    package static func nodes(appendingLeaf index: Int64, leafHash: [UInt8], siblingHashes: [[UInt8]]) throws -> [(Node, [UInt8])] {
        var hash = leafHash
        var added = [(Node(level: 0, index: index), hash)]
        for (sibling, left) in zip(siblings(ofLeaf: index), siblingHashes) {
            hash = try MerkleTree.nodeHash(left, hash)
            added.append((Node(level: sibling.level + 1, index: sibling.index >> 1), hash))
        }
        return added
    }

    /// Whether appending event `index` completes a checkpoint interval (a checkpoint is signed then).
    package static func checkpointDue(afterEvent index: Int64, signer: CheckpointSigner?) -> Bool {
        guard let signer else { return false }
        return (index + 1) % signer.interval == 0
    }

    /// Refuses an inclusion proof outside the tree of `current` events.
    package static func checkInclusion(index: Int64, size: Int64, current: Int64) throws {
        guard size >= 1, size <= current, index >= 0, index < size else {
            throw StoreError(.notFound, "the tree has \(current) events; ask for 0 ≤ index < size ≤ \(current)")
        }
    }

    /// Refuses a consistency proof outside the tree of `current` events.
    package static func checkConsistency(from first: Int64, to second: Int64, current: Int64) throws {
        guard first >= 0, first <= second, second <= current else {
            throw StoreError(.notFound, "the tree has \(current) events; ask for 0 ≤ from ≤ to ≤ \(current)")
        }
    }

    /// The refusal for a node the tree should have and does not.
    package static func missing(_ node: Node) -> StoreError {
        StoreError(.recordCorrupt, "the audit tree is missing node \(node.level)/\(node.index)")
    }

    /// The refusal for an event the tree counts and the table does not hold.
    package static func missingEvent(_ index: Int64) -> StoreError {
        StoreError(.recordCorrupt, "audit event \(index) is missing")
    }
}

extension AuditRule {
    /// The canonical bytes and leaf hash of event `index`, as every backend stores them.
    package static func entry(
        index: Int64, _ action: AuditEvent.Action, outcome: AuditEvent.Outcome, context: OperationContext,
        handoffId: String?, submissionId: String?, target: AuditEvent.Target?, count: Int64?
    ) throws -> (bytes: [UInt8], leafHash: [UInt8]) {
        let event = context.auditEvent(
            index: index, action, outcome: outcome, handoffId: handoffId, submissionId: submissionId, target: target, count: count
        )
        let bytes = event.canonicalBytes
        return (bytes, try AuditEvent.leafHash(bytes))
    }
}
