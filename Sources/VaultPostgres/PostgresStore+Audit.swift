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
        try await appendAudit(connection, at: context.now) { rows in
            try rows.append(action, outcome: outcome, context: context, handoffId: handoffId, submissionId: submissionId, target: target, count: count)
        }
    }

    /// Appends the events `build` adds to the audit log in the caller's transaction (which holds
    /// the audit lock), in one statement; returns what `build` returned.
    func appendAudit<Result>(_ connection: PostgresConnection, at now: Date, _ build: (inout AuditRows) throws -> Result) async throws -> Result {
        var rows = try await auditRows(connection)
        let result = try build(&rows)
        if !rows.isEmpty { try await run(PreparedStatements.AppendAudit(audit: rows, at: now), connection) }
        return result
    }

    /// Rows for the next audit events, after the tree's size and right edge: read under the lock
    /// in one round trip, or known from this group's previous append (`AuditCursor`).
    func auditRows(_ connection: PostgresConnection) async throws -> AuditRows {
        if let known = AuditCursor.current?.position { return AuditRows(after: known, signer: checkpointSigner) }
        let next = try await nextLeaf(connection)
        return AuditRows(after: AuditCursor.Position(size: next.index, edge: next.edge), signer: checkpointSigner)
    }

    /// Runs a statement that writes audit rows (from `auditRows`), and moves this group's cursor
    /// past them. A row already at one of their indices makes it fail, and the whole operation
    /// with it.
    func run(_ statement: some AuditWriting, _ connection: PostgresConnection) async throws {
        try await connection.run(statement, logger: logger)
        AuditCursor.current?.move(to: statement.audit.position)
    }

    /// A Merkle node's place in the tree.
    struct NodeKey: Hashable { let level: Int64; let index: Int64 }

    /// The nodes that appending leaf `index` writes (the leaf and every perfect subtree it
    /// completes), its siblings taken from the tree's right edge before it.
    static func nodes(appendingLeaf index: Int64, leafHash: [UInt8], edge: [NodeKey: [UInt8]]) throws -> [(level: Int64, index: Int64, hash: [UInt8])] {
        let siblings = try AuditRule.siblings(ofLeaf: index).map { sibling in
            guard let hash = edge[NodeKey(level: Int64(sibling.level), index: sibling.index)] else { throw AuditRule.missing(sibling) }
            return hash
        }
        return try AuditRule.nodes(appendingLeaf: index, leafHash: leafHash, siblingHashes: siblings).map {
            (level: Int64($0.0.level), index: $0.0.index, hash: $0.1)
        }
    }

    /// The tree's size (the next leaf's index) and the nodes on its right edge — the root of each
    /// perfect subtree the size's bits name, among them every sibling the next leaf needs — in one
    /// prepared query.
    func nextLeaf(_ connection: PostgresConnection) async throws -> (index: Int64, edge: [NodeKey: [UInt8]]) {
        try await treeEdge(PreparedStatements.NextLeaf(), connection)
    }

    /// Takes the audit lock for the caller's transaction, then reads what `nextLeaf` reads: where
    /// the group's `AuditCursor` starts.
    func lockAudit(_ connection: PostgresConnection) async throws -> AuditCursor.Position {
        let (size, edge) = try await treeEdge(PreparedStatements.LockAudit(lockKey: Self.auditLockKey), connection)
        return AuditCursor.Position(size: size, edge: edge)
    }

    private func treeEdge<Statement: PostgresPreparedStatement>(
        _ statement: Statement, _ connection: PostgresConnection
    ) async throws -> (index: Int64, edge: [NodeKey: [UInt8]]) where Statement.Row == PreparedStatements.NextLeaf.Row {
        var size: Int64 = 0
        var edge: [NodeKey: [UInt8]] = [:]
        for try await (n, level, index, hash) in try await connection.execute(statement, logger: logger) {
            size = n
            if let level, let index, let hash { edge[NodeKey(level: level, index: index)] = [UInt8](hash) }
        }
        return (size, edge)
    }

    /// The number of leaves: the tree's own count, not the event table's.
    func treeSize(_ connection: PostgresConnection) async throws -> Int64 {
        try await connection.query("SELECT COALESCE(MAX(idx) + 1, 0) FROM merkle_node WHERE level = 0", logger: self.logger)
            .decode(Int64.self).first(where: { _ in true }) ?? 0
    }

    /// What one round trip reads for a Merkle computation: the tree's current size, an event's
    /// bytes when asked, and the stored nodes the computation will ask for.
    struct StoredTree {
        let size: Int64
        let event: [UInt8]?
        let nodes: [NodeKey: [UInt8]]

        /// The nodes read, as the computation's source; one not stored is `AuditRule.missing`.
        var source: MerkleTree.NodeSource {
            { level, index in
                guard let hash = nodes[NodeKey(level: Int64(level), index: index)] else { throw AuditRule.missing(AuditRule.Node(level: level, index: index)) }
                return hash
            }
        }
    }

    /// Reads the tree's size, event `event` (if given) and every node `computation` asks for, in
    /// one query. Which nodes a computation asks for follows from the tree's shape alone, never
    /// from the hashes, so a run over placeholder hashes names them all; the caller runs it again
    /// on `source` once it has checked the size. The computation's own arguments must be checked
    /// before (it may trap on a shape that cannot be). It was a round trip per node off the
    /// right edge, with a rerun after each, and two more for the size and the event.
    func readTree(_ connection: PostgresConnection, event: Int64? = nil, nodesFor computation: (MerkleTree.NodeSource) throws -> some Any) async throws -> StoredTree {
        var wanted: [NodeKey] = []
        _ = try computation { level, index in
            wanted.append(NodeKey(level: Int64(level), index: index))
            return [UInt8](repeating: 0, count: 32)
        }
        var size: Int64 = 0
        var bytes: Data?
        var nodes: [NodeKey: [UInt8]] = [:]
        for try await (n, eventBytes, level, index, hash) in try await connection.query(
            // A scalar subquery per node: an index lookup each, never a scan of the tree.
            """
            SELECT t.n, t.event, k.level, k.idx, (SELECT hash FROM merkle_node m WHERE m.level = k.level AND m.idx = k.idx)
            FROM (SELECT (SELECT COALESCE(MAX(idx) + 1, 0) FROM merkle_node WHERE level = 0) AS n,
                         (SELECT event FROM audit_event WHERE id = \(event)) AS event) AS t
            LEFT JOIN unnest(\(wanted.map(\.level))::bigint[], \(wanted.map(\.index))::bigint[]) AS k(level, idx) ON true
            """,
            logger: self.logger
        ).decode((Int64, Data?, Int64?, Int64?, Data?).self) {
            (size, bytes) = (n, eventBytes)
            if let level, let index, let hash { nodes[NodeKey(level: level, index: index)] = [UInt8](hash) }
        }
        return StoredTree(size: size, event: bytes.map { [UInt8]($0) }, nodes: nodes)
    }

    /// Signs and keeps the checkpoint for the current size (once per size).
    @discardableResult
    func checkpoint(_ connection: PostgresConnection, signer: CheckpointSigner, now: Date) async throws -> (note: String, checkpoint: AuditCheckpoint) {
        let size = try await treeSize(connection)
        let root = try MerkleTree.rootHash(size: size, nodes: try await readTree(connection) { try MerkleTree.rootHash(size: size, nodes: $0) }.source)
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

    /// Refuses arguments no tree could answer (`check` fails even for a tree of `claimedSize`),
    /// with the tree's real size in the message.
    private func refuseImpossible(_ claimedSize: Int64, _ check: (Int64) throws -> Void) async throws {
        if (try? check(claimedSize)) != nil { return }
        try check(try await auditSize())
        try check(claimedSize)
    }

    package func inclusionProof(index: Int64, size: Int64) async throws -> InclusionProof {
        // The request's own shape first; the tree's size comes with the nodes and is checked then.
        try await refuseImpossible(size) { try AuditRule.checkInclusion(index: index, size: size, current: $0) }
        let proof = { @Sendable (nodes: MerkleTree.NodeSource) in try MerkleTree.inclusionProof(index: index, size: size, nodes: nodes) }
        return try await read { connection in
            let tree = try await self.readTree(connection, event: index, nodesFor: proof)
            try AuditRule.checkInclusion(index: index, size: size, current: tree.size)
            guard let bytes = tree.event else { throw AuditRule.missingEvent(index) }
            return InclusionProof(event: IndexedAuditEvent(index: index, bytes: bytes), treeSize: size, proof: try proof(tree.source))
        }
    }

    package func consistencyProof(from first: Int64, to second: Int64) async throws -> [[UInt8]] {
        try await refuseImpossible(second) { try AuditRule.checkConsistency(from: first, to: second, current: $0) }
        let proof = { @Sendable (nodes: MerkleTree.NodeSource) in try MerkleTree.consistencyProof(from: first, to: second, nodes: nodes) }
        return try await read { connection in
            let tree = try await self.readTree(connection, nodesFor: proof)
            try AuditRule.checkConsistency(from: first, to: second, current: tree.size)
            return try proof(tree.source)
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
