import Foundation
import HandoffDomain
import PostgresNIO
import VaultStore

extension PostgresStore {
    /// Appends one audit event in the caller's transaction (which holds the audit lock), with its
    /// Merkle nodes, when one is due a signed checkpoint, and the handoff event it announces (the
    /// outbox); returns its index.
    @discardableResult
    func audit(
        _ connection: PostgresConnection, _ action: AuditEvent.Action, outcome: AuditEvent.Outcome = .success,
        context: OperationContext, handoffId: String? = nil, submissionId: String? = nil,
        target: AuditEvent.Target? = nil, count: Int64? = nil
    ) async throws -> Int64 {
        // The next leaf of the tree, read under the lock; a row already at that index makes the
        // insert fail, and the whole operation with it.
        let index = try await treeSize(connection)
        let (bytes, leafHash) = try AuditRule.entry(
            index: index, action, outcome: outcome, context: context, handoffId: handoffId, submissionId: submissionId, target: target, count: count
        )
        // The leaf's siblings in one round trip, then the event and every node it completes in one
        // statement: the audit lock is held for as few round trips as the append needs.
        let wanted = AuditRule.siblings(ofLeaf: index)
        let fetched = try await nodes(connection, wanted.map { (level: Int64($0.level), index: $0.index) })
        let siblings = try wanted.map { sibling in
            guard let hash = fetched[NodeKey(level: Int64(sibling.level), index: sibling.index)] else { throw AuditRule.missing(sibling) }
            return hash
        }
        let appended = try AuditRule.nodes(appendingLeaf: index, leafHash: leafHash, siblingHashes: siblings)
        try await connection.query("""
            WITH leaf AS (INSERT INTO audit_event (id, event, leaf_hash) VALUES (\(index), \(Data(bytes)), \(Data(leafHash))))
            INSERT INTO merkle_node (level, idx, hash)
            SELECT * FROM unnest(\(appended.map { Int64($0.0.level) })::bigint[], \(appended.map { $0.0.index })::bigint[],
                                 \(appended.map { ByteBuffer(bytes: $0.1) })::bytea[])
            """, logger: self.logger)
        if AuditRule.checkpointDue(afterEvent: index, signer: checkpointSigner), let signer = checkpointSigner {
            try await checkpoint(connection, signer: signer, now: context.now)
        }
        if let handoffId, let kind = HandoffEvent.Kind(announcing: action, outcome: outcome, count: count) {
            try await announce(connection, HandoffEvent(id: index, kind: kind, handoffId: handoffId, at: context.now))
        }
        return index
    }

    /// A Merkle node's place in the tree.
    struct NodeKey: Hashable { let level: Int64; let index: Int64 }

    /// The stored nodes among `keys`, in one query.
    private func nodes(_ connection: PostgresConnection, _ keys: [(level: Int64, index: Int64)]) async throws -> [NodeKey: [UInt8]] {
        var found: [NodeKey: [UInt8]] = [:]
        guard !keys.isEmpty else { return found }
        for try await (level, index, hash) in try await connection.query(
            "SELECT level, idx, hash FROM merkle_node WHERE (level, idx) IN (SELECT * FROM unnest(\(keys.map(\.level))::bigint[], \(keys.map(\.index))::bigint[]))",
            logger: self.logger
        ).decode((Int64, Int64, Data).self) {
            found[NodeKey(level: level, index: index)] = [UInt8](hash)
        }
        return found
    }

    private func node(_ connection: PostgresConnection, level: Int64, index: Int64) async throws -> [UInt8] {
        guard let hash = try await connection.query(
            "SELECT hash FROM merkle_node WHERE level = \(level) AND idx = \(index)", logger: self.logger
        ).decode(Data.self).first(where: { _ in true }) else {
            throw AuditRule.missing(AuditRule.Node(level: Int(level), index: index))
        }
        return [UInt8](hash)
    }

    /// The number of leaves: the tree's own count, not the event table's.
    func treeSize(_ connection: PostgresConnection) async throws -> Int64 {
        try await connection.query("SELECT COALESCE(MAX(idx) + 1, 0) FROM merkle_node WHERE level = 0", logger: self.logger)
            .decode(Int64.self).first(where: { _ in true }) ?? 0
    }

    /// A node a Merkle computation asked for that is not fetched yet.
    struct MissingNode: Error { let level: Int; let index: Int64 }

    /// Runs a Merkle computation over the stored nodes: it asks for nodes synchronously, so the
    /// ones it needs are fetched (those of the perfect subtrees of `size` in one query first, any
    /// others as it asks for them) and it runs again until it has them all.
    func withNodes<Value>(_ connection: PostgresConnection, size: Int64, _ compute: (MerkleTree.NodeSource) throws -> Value) async throws -> Value {
        var known: [String: [UInt8]] = [:]
        func key(_ level: Int, _ index: Int64) -> String { "\(level)/\(index)" }
        var levels: [Int64] = []
        var indices: [Int64] = []
        var start: Int64 = 0
        for bit in (0..<63).reversed() where size & (Int64(1) << bit) != 0 {
            levels.append(Int64(bit))
            indices.append(start >> bit)
            start += Int64(1) << bit
        }
        for try await (level, index, hash) in try await connection.query(
            "SELECT level, idx, hash FROM merkle_node WHERE (level, idx) IN (SELECT * FROM unnest(\(levels)::bigint[], \(indices)::bigint[]))",
            logger: self.logger
        ).decode((Int64, Int64, Data).self) {
            known[key(Int(level), index)] = [UInt8](hash)
        }
        while true {
            do {
                return try compute { level, index in
                    guard let hash = known[key(level, index)] else { throw MissingNode(level: level, index: index) }
                    return hash
                }
            } catch let missing as MissingNode {
                known[key(missing.level, missing.index)] = try await node(connection, level: Int64(missing.level), index: missing.index)
            }
        }
    }

    /// Signs and keeps the checkpoint for the current size (once per size).
    @discardableResult
    func checkpoint(_ connection: PostgresConnection, signer: CheckpointSigner, now: Date) async throws -> (note: String, checkpoint: AuditCheckpoint) {
        let size = try await treeSize(connection)
        let root = try await withNodes(connection, size: size) { try MerkleTree.rootHash(size: size, nodes: $0) }
        let checkpoint = AuditCheckpoint(origin: signer.keys.keyName, size: size, rootHash: root)
        if let note = try await connection.query("SELECT note FROM checkpoint WHERE tree_size = \(size)", logger: self.logger)
            .decode(String.self).first(where: { _ in true }) {
            return (note, checkpoint)
        }
        let note = try checkpoint.signed(with: signer.keys.signing)
        try await connection.query(
            "INSERT INTO checkpoint (tree_size, note, created_at) VALUES (\(size), \(note), \(now)) ON CONFLICT (tree_size) DO NOTHING", logger: self.logger
        )
        return (note, checkpoint)
    }

    // MARK: The audit log's operations

    package func auditSize() async throws -> Int64 {
        try await read { try await self.treeSize($0) }
    }

    package func auditEvents(from start: Int64, limit: Int) async throws -> [IndexedAuditEvent] {
        try await read { connection in
            var events: [IndexedAuditEvent] = []
            for try await (index, bytes) in try await connection.query(
                "SELECT id, event FROM audit_event WHERE id >= \(start) ORDER BY id LIMIT \(Int64(limit))", logger: self.logger
            ).decode((Int64, Data).self) {
                events.append(IndexedAuditEvent(index: index, bytes: [UInt8](bytes)))
            }
            return events
        }
    }

    package func currentCheckpoint(now: Date) async throws -> (note: String, checkpoint: AuditCheckpoint) {
        guard let signer = checkpointSigner else { throw StoreError(.keysUnavailable, "the server keys are not loaded") }
        return try await write { connection in try await self.checkpoint(connection, signer: signer, now: now) }
    }

    package func inclusionProof(index: Int64, size: Int64) async throws -> InclusionProof {
        try await read { connection in
            let current = try await self.treeSize(connection)
            try AuditRule.checkInclusion(index: index, size: size, current: current)
            guard let bytes = try await connection.query("SELECT event FROM audit_event WHERE id = \(index)", logger: self.logger)
                .decode(Data.self).first(where: { _ in true }) else {
                throw AuditRule.missingEvent(index)
            }
            let proof = try await self.withNodes(connection, size: size) { try MerkleTree.inclusionProof(index: index, size: size, nodes: $0) }
            return InclusionProof(event: IndexedAuditEvent(index: index, bytes: [UInt8](bytes)), treeSize: size, proof: proof)
        }
    }

    package func consistencyProof(from first: Int64, to second: Int64) async throws -> [[UInt8]] {
        try await read { connection in
            let current = try await self.treeSize(connection)
            try AuditRule.checkConsistency(from: first, to: second, current: current)
            return try await self.withNodes(connection, size: second) { try MerkleTree.consistencyProof(from: first, to: second, nodes: $0) }
        }
    }

    package func recordTallies(_ tallies: [AuditTally], now: Date) async throws {
        guard !tallies.isEmpty else { return }
        try await write { connection in
            for tally in tallies {
                let context = OperationContext(principal: tally.principal, remote: tally.remote, requestId: tally.requestId, now: now)
                try await self.audit(connection, tally.action, outcome: tally.outcome, context: context, handoffId: tally.handoffId, count: Int64(tally.count))
            }
        }
    }
}
