import HandoffDomain
import Testing
import VaultCrypto

/// `ReceiptInLog`, which `handoff status` and the customer's page run: a receipt's event must be
/// the leaf its index names, in the signed tree, recording this very submission.
@Suite("Receipt in the log")
struct ReceiptInLogTests {
    static let handoffId = "5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77"
    static let submissionId = "6b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77"

    static func event(_ index: Int64, action: String = "submission.received", submission: String = submissionId) -> [UInt8] {
        CanonicalJSON.encode(["index": .integer(index), "action": .string(action), "handoffId": .string(handoffId), "submissionId": .string(submission)])
    }

    @Test("Proven at its index; refused for another event, another submission, a wrong proof, an index beyond the tree")
    func proofs() throws {
        let events = (0..<7).map { Self.event($0, action: $0 == 3 ? "submission.received" : "handoff.created") }
        let tree = try InMemoryMerkleTree(leafHashes: events.map { try MerkleTree.leafHash($0) })
        let root = try MerkleTree.rootHash(size: 7, nodes: tree.nodes)
        let checkpoint = AuditCheckpoint(origin: "handoff-vault/test", size: 7, rootHash: root)
        let receipt = Receipt(handoffId: Self.handoffId, submissionId: Self.submissionId, sealedSHA256: Array(repeating: 1, count: 32),
                              receivedAt: "2026-12-01T12:00:00Z", auditIndex: 3)
        let proof = try MerkleTree.inclusionProof(index: 3, size: 7, nodes: tree.nodes)
        try ReceiptInLog.verify(receipt, checkpoint: checkpoint, event: events[3], proof: proof)
        #expect(throws: FormatError.self, "another event") { try ReceiptInLog.verify(receipt, checkpoint: checkpoint, event: events[2], proof: proof) }
        #expect(throws: FormatError.self, "another submission's event") {
            try ReceiptInLog.verify(receipt, checkpoint: checkpoint, event: Self.event(3, submission: Self.handoffId), proof: proof)
        }
        #expect(throws: FormatError.self, "a wrong proof") {
            try ReceiptInLog.verify(receipt, checkpoint: checkpoint, event: events[3], proof: try MerkleTree.inclusionProof(index: 4, size: 7, nodes: tree.nodes))
        }
        let beyond = Receipt(handoffId: Self.handoffId, submissionId: Self.submissionId, sealedSHA256: receipt.sealedSHA256, receivedAt: receipt.receivedAt, auditIndex: 9)
        #expect(throws: FormatError.self, "beyond the tree") { try ReceiptInLog.verify(beyond, checkpoint: checkpoint, event: events[3], proof: proof) }
    }
}
