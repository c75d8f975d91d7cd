import Foundation
import GRDB
import HandoffDomain

extension VaultDatabase {
    /// The number of audit events (the tree size).
    package func auditSize() async throws -> Int64 {
        try await read { db in try AuditTree.size(db) }
    }

    /// Events with index ≥ `start`, in order, at most `limit`.
    package func auditEvents(from start: Int64, limit: Int) async throws -> [IndexedAuditEvent] {
        try await read { db in
            try AuditLog.events(db, from: start, limit: limit)
                .map { IndexedAuditEvent(index: $0.0, bytes: [UInt8]($0.1)) }
        }
    }

    /// The signed checkpoint for the current tree, made and kept if there is none for this size.
    package func currentCheckpoint(now: Date) async throws -> (note: String, checkpoint: AuditCheckpoint) {
        guard let signer = checkpointSigner else {
            throw StoreError(.keysUnavailable, "the server keys are not loaded")
        }
        return try await write { db in try AuditTree.checkpoint(db, signer: signer, now: now) }
    }

    /// The inclusion proof of event `index` in the tree of `size` events.
    package func inclusionProof(index: Int64, size: Int64) async throws -> InclusionProof {
        try await read { db in
            let current = try AuditTree.size(db)
            try AuditRule.checkInclusion(index: index, size: size, current: current)
            guard let bytes = try Data.fetchOne(db, sql: "SELECT event FROM auditEvent WHERE id = ?", arguments: [index]) else {
                throw AuditRule.missingEvent(index)
            }
            let proof = try MerkleTree.inclusionProof(index: index, size: size, nodes: AuditTree.nodes(db))
            return InclusionProof(event: IndexedAuditEvent(index: index, bytes: [UInt8](bytes)), treeSize: size, proof: proof)
        }
    }

    /// The consistency proof between the trees of `first` and `second` events.
    package func consistencyProof(from first: Int64, to second: Int64) async throws -> [[UInt8]] {
        try await read { db in
            let current = try AuditTree.size(db)
            try AuditRule.checkConsistency(from: first, to: second, current: current)
            return try MerkleTree.consistencyProof(from: first, to: second, nodes: AuditTree.nodes(db))
        }
    }
}

extension VaultDatabase {
    /// Appends `count` copies of one event in a single transaction: for load generation and the
    /// audit benchmark, which needs a million-event log without a million fsyncs.
    package func appendAuditEvents(_ count: Int, action: AuditEvent.Action, context: OperationContext) async throws {
        try await write { db in
            for _ in 0..<count { try self.audit(db, action, outcome: .denied, context: context) }
        }
    }
}
