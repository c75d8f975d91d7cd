import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto
@testable import VaultPostgres
@testable import VaultStore

/// Role tokens, the audit log's proofs and master key rotation, on each backend.
@Suite("Tokens, proofs and rotation")
struct TokenAndAuditTests {
    @Test("Role tokens work until revoked or expired; the last admin token stays; no customer token without an invite", arguments: Backend.available)
    func tokens(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let store = fixture.store
        let now = fixture.admin.now
        let auditor = try await store.createToken(role: .auditor, name: "a", expiresIn: 120, context: fixture.admin)
        #expect(try await store.principal(for: auditor.token, now: now)?.role == .auditor)
        #expect(try await store.principal(for: auditor.token, now: now.addingTimeInterval(121)) == nil, "an expired token opens nothing")
        try await store.revokeToken(id: auditor.id, context: fixture.admin)
        #expect(try await store.principal(for: auditor.token, now: now) == nil, "a revoked token opens nothing")
        let twice = await #expect(throws: StoreError.self) { try await store.revokeToken(id: auditor.id, context: fixture.admin) }
        #expect(twice?.code == .notFound)
        let customer = await #expect(throws: StoreError.self) { try await store.createToken(role: .customer, name: "c", expiresIn: nil, context: fixture.admin) }
        #expect(customer?.code == .conflict)

        let first = try #require(try await store.tokens().first { $0.role == .admin })
        let last = await #expect(throws: StoreError.self) { try await store.revokeToken(id: first.id, context: fixture.admin) }
        #expect(last?.code == .conflict, "the last active admin token cannot be revoked")
        let second = try await store.createToken(role: .admin, name: "second", expiresIn: nil, context: fixture.admin)
        try await store.revokeToken(id: first.id, context: fixture.admin)
        #expect(try await store.principal(for: fixture.opened.adminToken, now: now) == nil)
        #expect(try await store.principal(for: second.token, now: now)?.role == .admin)
        #expect(Set(try await store.tokens().map(\.id)) == [first.id, auditor.id, second.id], "every role token, never an invite")
        #expect(try await fixture.auditActions().filter { $0.hasPrefix("token.") } == ["token.created", "token.revoked", "token.created", "token.revoked"])

        let tallies = [
            AuditTally(remote: "192.0.2.7", count: 40, principal: nil, requestId: "r1"),
            AuditTally(action: .packageFetched, outcome: .success, handoffId: UUID().uuidString.lowercased(), remote: "192.0.2.8", count: 3,
                       principal: Principal(tokenId: second.id, role: .admin, handoffId: nil), requestId: "r2"),
        ]
        let before = try await store.auditSize()
        try await store.recordTallies(tallies, now: now)
        let counted = try await store.auditEvents(from: before, limit: 10).map { try JSONParser.parse($0.bytes).objectValue }
        #expect(counted.map { $0?["action"]?.stringValue } == [AuditEvent.Action.requestRefused.rawValue, AuditEvent.Action.packageFetched.rawValue])
        #expect(counted.map { $0?["count"]?.integerValue } == [40, 3], "one event per tally, with its count")
    }

    @Test("Every event's inclusion proof and every consistency proof verify against signed checkpoints; proofs outside the tree are refused", arguments: Backend.available)
    func proofs(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend, checkpointInterval: 4)
        defer { fixture.opened.close() }
        for index in 0..<5 {
            let handoff = try await fixture.store.createHandoff(customer: "C\(index)", expiresIn: 86_400, context: fixture.admin)
            try await fixture.submit(handoff.handoffId)
        }
        let size = try await fixture.store.auditSize()
        #expect(size == 12)
        let (note, checkpoint) = try await fixture.store.currentCheckpoint(now: fixture.admin.now)
        #expect(try AuditCheckpoint.verify(note, publicKey: fixture.keys.signing.publicKey) == checkpoint)
        #expect(checkpoint.size == size)
        for index in 0..<size {
            let proof = try await fixture.store.inclusionProof(index: index, size: size)
            #expect(MerkleTree.verifyInclusion(
                leafHash: try AuditEvent.leafHash(proof.event.bytes), index: index, size: size, proof: proof.proof, root: checkpoint.rootHash
            ), "event \(index)")
        }
        let events = try await fixture.store.auditEvents(from: 0, limit: 100)
        let leaves = try events.map { try AuditEvent.leafHash($0.bytes) }
        for first in [Int64(1), 3, 4, 7, 11] {
            let firstRoot = try MerkleTree.rootHash(size: first, nodes: Self.nodes(leaves))
            let proof = try await fixture.store.consistencyProof(from: first, to: size)
            #expect(MerkleTree.verifyConsistency(first: first, second: size, proof: proof, firstRoot: firstRoot, secondRoot: checkpoint.rootHash), "from \(first)")
        }
        for (index, proofSize) in [(Int64(12), Int64(12)), (0, 13), (-1, 5), (0, 0)] {
            let refused = await #expect(throws: StoreError.self) { try await fixture.store.inclusionProof(index: index, size: proofSize) }
            #expect(refused?.code == .notFound)
            #expect(refused?.reason.contains("the tree has 12 events") == true, "the real size, whatever was asked: \(refused?.reason ?? "")")
        }
        let backwards = await #expect(throws: StoreError.self) { try await fixture.store.consistencyProof(from: 5, to: 4) }
        #expect(backwards?.code == .notFound)
        #expect(backwards?.reason.contains("the tree has 12 events") == true, "\(backwards?.reason ?? "")")
        let beyond = await #expect(throws: StoreError.self) { try await fixture.store.consistencyProof(from: 1, to: 13) }
        #expect(beyond?.code == .notFound)
        let checkpoints = try await fixture.strings(
            sqlite: "SELECT CAST(treeSize AS TEXT) FROM checkpoint ORDER BY treeSize", postgres: "SELECT tree_size::text FROM checkpoint ORDER BY checkpoint.tree_size"
        )
        #expect(checkpoints == ["4", "8", "12"], "a checkpoint signed every 4 events")
    }

    /// The nodes of the tree over `leaves`, computed here from the leaves alone.
    static func nodes(_ leaves: [[UInt8]]) -> MerkleTree.NodeSource {
        { level, index in
            var layer = leaves
            for _ in 0..<level {
                layer = try stride(from: 0, to: layer.count - 1, by: 2).map { try MerkleTree.nodeHash(layer[$0], layer[$0 + 1]) }
            }
            guard index < layer.count else { throw StoreError(.notFound, "no node \(level)/\(index)") }
            return layer[Int(index)]
        }
    }

    @Test("Witnesses' cosignatures are kept per checkpoint and witness; the newest checkpoint and each witness's largest size are read back", arguments: Backend.available)
    func cosignatures(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend, checkpointInterval: 2)
        defer { fixture.opened.close() }
        let store = fixture.store
        for index in 0..<3 { _ = try await store.createHandoff(customer: "C\(index)", expiresIn: 86_400, context: fixture.admin) }
        let (note, checkpoint) = try await store.currentCheckpoint(now: fixture.admin.now)
        let latest = try #require(try await store.latestCheckpoint())
        #expect(latest.note == note && latest.checkpoint == checkpoint, "the newest kept checkpoint is the current one")
        try await store.addCosignature(witness: "w1", treeSize: 2, line: "— w1 old", now: fixture.admin.now)
        try await store.addCosignature(witness: "w1", treeSize: checkpoint.size, line: "— w1 first", now: fixture.admin.now)
        try await store.addCosignature(witness: "w1", treeSize: checkpoint.size, line: "— w1 again", now: fixture.admin.now)
        try await store.addCosignature(witness: "w2", treeSize: checkpoint.size, line: "— w2 line", now: fixture.admin.now)
        #expect(try await store.cosignatures(treeSize: checkpoint.size) == ["— w1 again", "— w2 line"], "one line per witness, the newest, in name order")
        #expect(try await store.cosignatures(treeSize: 2) == ["— w1 old"])
        #expect(try await store.cosignedSizes() == ["w1": checkpoint.size, "w2": checkpoint.size])
    }

    @Test("Rotation re-wraps every data key and server secret: the old master key opens nothing, the new one everything", arguments: Backend.available)
    func rotation(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let handoff = try await fixture.store.createHandoff(customer: "C", expiresIn: 86_400, context: fixture.admin)
        try await fixture.submit(handoff.handoffId, byte: 5)
        let old = fixture.keys.master
        let new = try old.successor()
        let same = await #expect(throws: StoreError.self) { try await Self.rotate(fixture.store, from: old, to: old) }
        #expect(same?.code == .conflict)
        #expect(try await Self.rotate(fixture.store, from: old, to: new) == 1)
        let stale = await #expect(throws: StoreError.self) { try await Self.loadKeys(fixture.store, master: old) }
        #expect(stale?.code == .keysUnavailable)
        let keys = try await Self.loadKeys(fixture.store, master: new)
        #expect(keys.signing.publicKey == fixture.keys.signing.publicKey)
        switch fixture.store {
        case let database as VaultDatabase: database.useKeys(keys)
        case let postgres as PostgresStore: postgres.useKeys(keys)
        default: Issue.record("unknown backend")
        }
        let released = try await fixture.store.releaseLatest(handoffId: handoff.handoffId, auditRepeat: true, context: fixture.generator).released
        #expect(released.sealed == Array(repeating: 5, count: 80))
        #expect(try await fixture.auditActions().contains(AuditEvent.Action.masterKeyRotated.rawValue))
    }

    static func rotate(_ store: any HandoffStore, from old: MasterKey, to new: MasterKey) async throws -> Int {
        switch store {
        case let database as VaultDatabase: return try await database.rotateMasterKey(from: old, to: new, now: Date())
        case let postgres as PostgresStore: return try await postgres.rotateMasterKey(from: old, to: new, now: Date())
        default: throw TestStoreError("unknown backend")
        }
    }

    static func loadKeys(_ store: any HandoffStore, master: MasterKey) async throws -> ServerKeys {
        switch store {
        case let database as VaultDatabase: return try await database.loadKeys(master: master)
        case let postgres as PostgresStore: return try await postgres.loadKeys(master: master)
        default: throw TestStoreError("unknown backend")
        }
    }
}
