import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto
@testable import VaultPostgres
@testable import VaultStore

/// The scale benchmark's bulk load writes what the store's own operations would: handoffs the
/// store lists and purges, and events whose tree, checkpoints and proofs hold — on both backends
/// (PostgreSQL's load computes the Merkle nodes itself and sends them with COPY).
@Suite("Bulk load")
struct BulkLoadTests {
    @Test("Loaded handoffs and events are the store's own: listed, in the tree, checkpointed, proved, and appended after", arguments: Backend.available)
    func loadedRowsAreTheStoresOwn(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend, checkpointInterval: 7)
        defer { fixture.opened.close() }
        let store = try #require(fixture.store as? any BulkLoadable)
        let handoffId = try await store.createHandoff(customer: "Before", expiresIn: 86_400, context: fixture.admin).handoffId

        try await store.addLoadHandoffs(25, expiringEvery: 5, now: fixture.admin.now, batch: 10)
        let before = try await store.auditSize()
        // Several transactions, the first starting from a tree that is not a power of two.
        try await store.appendLoadAuditEvents(250, action: .requestRefused, context: fixture.admin, batch: 64)
        // The store's own append goes on from where the load left the tree.
        let receipt = try await fixture.submit(handoffId)
        #expect(receipt.auditIndex == before + 250)

        let invited = try await store.handoffs(state: .invited, now: fixture.admin.now)
        #expect(invited.filter { $0.customer.hasPrefix("Load ") }.count == 25)
        let leaves = try await Self.expectTreeHolds(fixture, checkpointInterval: 7, proving: [before, before + 63, before + 64, before + 127, before + 249])
        #expect(leaves.count == Int(before) + 251)
        // Retention, two days on, finds the one in five that expired the next day; the rest stay.
        let expiring = Set(invited.filter { ["Load 0", "Load 5", "Load 10", "Load 15", "Load 20"].contains($0.customer) }.map(\.id))
        let later = fixture.admin.now.addingTimeInterval(2 * 86_400)
        let report = try await store.purge(now: later, policy: RetentionPolicy())
        #expect(expiring.count == 5 && expiring.isSubset(of: Set(report.purged)))
        #expect(try await store.handoffs(state: .invited, now: later).filter { $0.customer.hasPrefix("Load ") }.count == 20)
        // The purge's events, appended together (one statement on PostgreSQL), extend the same tree.
        let purgedLeaves = try await Self.expectTreeHolds(fixture, checkpointInterval: 7, proving: [Int64(leaves.count)])
        #expect(purgedLeaves.count == leaves.count + report.purged.count)
        #expect(Array(purgedLeaves.prefix(leaves.count)) == leaves)
    }

    /// Checks the store's tree against its leaves: every signed checkpoint (one per
    /// `checkpointInterval` events) and the current one sign the root of the events before them,
    /// and the events at `proving` (and the last) have inclusion proofs; returns the leaves.
    static func expectTreeHolds(_ fixture: StoreFixture, checkpointInterval: Int64, proving: [Int64]) async throws -> [[UInt8]] {
        let store = fixture.store
        let leaves = try await store.auditEvents(from: 0, limit: 10_000).map { try AuditEvent.leafHash($0.bytes) }
        let signedCheckpoints = try await fixture.signedCheckpoints()
        let (_, checkpoint) = try await store.currentCheckpoint(now: fixture.admin.now)
        #expect(checkpoint.size == Int64(leaves.count))
        #expect(checkpoint.rootHash == (try MerkleTree.rootHash(size: Int64(leaves.count), nodes: TokenAndAuditTests.nodes(leaves))))
        #expect(signedCheckpoints.filter { $0.size % checkpointInterval == 0 }.count == leaves.count / Int(checkpointInterval))
        for signed in signedCheckpoints {
            #expect(signed.rootHash == (try MerkleTree.rootHash(size: signed.size, nodes: TokenAndAuditTests.nodes(Array(leaves.prefix(Int(signed.size)))))))
        }
        for index in proving + [Int64(leaves.count - 1)] {
            let proof = try await store.inclusionProof(index: index, size: checkpoint.size)
            #expect(MerkleTree.verifyInclusion(leafHash: leaves[Int(index)], index: index, size: checkpoint.size, proof: proof.proof, root: checkpoint.rootHash))
        }
        return leaves
    }
}
