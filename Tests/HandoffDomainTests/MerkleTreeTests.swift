import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto

/// RFC 9162 hashing and proofs against the Certificate Transparency reference vectors in
/// `Tests/Vectors/ct-merkle.json` (source named in the file).
@Suite("Merkle tree (RFC 9162)")
struct MerkleTreeTests {
    struct Vectors {
        let leaves: [[UInt8]]
        let roots: [[UInt8]]
        let emptyRoot: [UInt8]
        let inclusion: [(index: Int64, size: Int64, proof: [[UInt8]])]
        let consistency: [(first: Int64, second: Int64, proof: [[UInt8]])]

        init() throws {
            let json = try JSONParser.parse(Array(try Data(contentsOf: TestPaths.vectors.appendingPathComponent("ct-merkle.json"))))
            let m = try #require(json.objectValue)
            func hexes(_ value: JSONValue?) -> [[UInt8]] { (value?.arrayValue ?? []).compactMap(\.stringValue).map(Self.hex) }
            leaves = hexes(m["leaves"])
            roots = hexes(m["roots"])
            emptyRoot = Self.hex(m["emptyRoot"]?.stringValue ?? "")
            inclusion = (m["inclusion"]?.arrayValue ?? []).compactMap(\.objectValue).map {
                ($0["leafIndex"]?.integerValue ?? -1, $0["treeSize"]?.integerValue ?? -1, hexes($0["proof"]))
            }
            consistency = (m["consistency"]?.arrayValue ?? []).compactMap(\.objectValue).map {
                ($0["size1"]?.integerValue ?? -1, $0["size2"]?.integerValue ?? -1, hexes($0["proof"]))
            }
        }

        static func hex(_ text: String) -> [UInt8] {
            let digits = Array(text.utf8)
            return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
        }

        func tree(size: Int) throws -> InMemoryMerkleTree {
            try InMemoryMerkleTree(leafHashes: leaves.prefix(size).map(MerkleTree.leafHash))
        }
    }

    @Test("Roots of the reference trees of 0 to 8 leaves, stored-node and accumulator alike")
    func roots() throws {
        let vectors = try Vectors()
        #expect(vectors.roots.count == 8 && vectors.inclusion.count == 5 && vectors.consistency.count == 5)
        #expect(try MerkleTree.emptyRoot() == vectors.emptyRoot)
        var accumulator = MerkleRootAccumulator()
        #expect(try accumulator.root() == vectors.emptyRoot)
        for size in 1...8 {
            let tree = try vectors.tree(size: size)
            #expect(try MerkleTree.rootHash(size: Int64(size), nodes: tree.nodes) == vectors.roots[size - 1], "size \(size)")
            try accumulator.append(leafHash: try MerkleTree.leafHash(vectors.leaves[size - 1]))
            #expect(try accumulator.root() == vectors.roots[size - 1], "accumulator size \(size)")
        }
    }

    @Test("Inclusion proofs equal the reference ones, verify, and fail when anything is changed")
    func inclusion() throws {
        let vectors = try Vectors()
        for vector in vectors.inclusion {
            let tree = try vectors.tree(size: Int(vector.size))
            let leaf = try MerkleTree.leafHash(vectors.leaves[Int(vector.index)])
            let root = vectors.roots[Int(vector.size) - 1]
            #expect(try MerkleTree.inclusionProof(index: vector.index, size: vector.size, nodes: tree.nodes) == vector.proof)
            #expect(MerkleTree.verifyInclusion(leafHash: leaf, index: vector.index, size: vector.size, proof: vector.proof, root: root))
            // The probes of the reference suite: wrong index, size, leaf, root; extra, missing or flipped parts.
            var probes: [(Int64, Int64, [UInt8], [[UInt8]], [UInt8])] = [
                (vector.index + 1, vector.size, leaf, vector.proof, root),
                (vector.index ^ 2, vector.size, leaf, vector.proof, root),
                (vector.index, vector.size * 2, leaf, vector.proof, root),
                (vector.index, vector.size / 2, leaf, vector.proof, root),
                (vector.index, vector.size, Array(repeating: 1, count: 32), vector.proof, root),
                (vector.index, vector.size, leaf, vector.proof, vectors.emptyRoot),
                (vector.index, vector.size, leaf, vector.proof + [root], root),
                (vector.index, vector.size, leaf, [root] + vector.proof, root),
            ]
            if vector.index > 0 { probes.append((vector.index - 1, vector.size, leaf, vector.proof, root)) }
            for position in vector.proof.indices {
                var flipped = vector.proof
                flipped[position][0] ^= 8
                probes.append((vector.index, vector.size, leaf, flipped, root))
            }
            if !vector.proof.isEmpty { probes.append((vector.index, vector.size, leaf, Array(vector.proof.dropLast()), root)) }
            for probe in probes {
                let accepted = MerkleTree.verifyInclusion(leafHash: probe.2, index: probe.0, size: probe.1, proof: probe.3, root: probe.4)
                let reallySame = probe.0 == vector.index && probe.1 == vector.size && probe.2 == leaf && probe.3 == vector.proof && probe.4 == root
                #expect(!accepted || reallySame, "probe accepted for leaf \(vector.index) of \(vector.size)")
            }
        }
    }

    @Test("Consistency proofs equal the reference ones, verify, and fail when anything is changed")
    func consistency() throws {
        let vectors = try Vectors()
        for vector in vectors.consistency {
            let tree = try vectors.tree(size: Int(vector.second))
            let first = vectors.roots[Int(vector.first) - 1]
            let second = vectors.roots[Int(vector.second) - 1]
            #expect(try MerkleTree.consistencyProof(from: vector.first, to: vector.second, nodes: tree.nodes) == vector.proof)
            #expect(MerkleTree.verifyConsistency(first: vector.first, second: vector.second, proof: vector.proof, firstRoot: first, secondRoot: second))
            guard !vector.proof.isEmpty else { continue }
            var probes: [(Int64, Int64, [[UInt8]], [UInt8], [UInt8])] = [
                (vector.first - 1, vector.second, vector.proof, first, second),
                (vector.first + 1, vector.second, vector.proof, first, second),
                (vector.first, vector.second * 2, vector.proof, first, second),
                (vector.first, vector.second, vector.proof, second, first),
                (vector.first, vector.second, [], first, second),
                (vector.first, vector.second, vector.proof + [first], first, second),
                (vector.first, vector.second, [second] + vector.proof, first, second),
                (vector.first, vector.second, Array(vector.proof.dropLast()), first, second),
            ]
            for position in vector.proof.indices {
                var flipped = vector.proof
                flipped[position][0] ^= 16
                probes.append((vector.first, vector.second, flipped, first, second))
            }
            for probe in probes {
                #expect(!MerkleTree.verifyConsistency(first: probe.0, second: probe.1, proof: probe.2, firstRoot: probe.3, secondRoot: probe.4),
                        "probe accepted for \(vector.first)→\(vector.second)")
            }
        }
    }

    @Test("Generated proofs verify for every leaf and every pair of sizes up to 70")
    func exhaustive() throws {
        let leaves = try (0..<70).map { try MerkleTree.leafHash([UInt8(truncatingIfNeeded: $0), 0xAB]) }
        let tree = try InMemoryMerkleTree(leafHashes: leaves)
        for size in Int64(1)...70 {
            let root = try MerkleTree.rootHash(size: size, nodes: tree.nodes)
            for index in 0..<size {
                let proof = try MerkleTree.inclusionProof(index: index, size: size, nodes: tree.nodes)
                #expect(MerkleTree.verifyInclusion(leafHash: leaves[Int(index)], index: index, size: size, proof: proof, root: root))
            }
            for first in Int64(0)...size {
                let proof = try MerkleTree.consistencyProof(from: first, to: size, nodes: tree.nodes)
                let firstRoot = try MerkleTree.rootHash(size: first, nodes: tree.nodes)
                #expect(MerkleTree.verifyConsistency(first: first, second: size, proof: proof, firstRoot: firstRoot, secondRoot: root))
            }
        }
    }
}

/// The offline verifier over exports made in memory, and each kind of tampering.
@Suite("Audit export verification")
struct AuditVerifierTests {
    static let key = try! SigningKeyPair(seed: SecretBytes(copying: [UInt8](repeating: 3, count: 32)))

    static func events(_ count: Int) -> [[UInt8]] {
        (0..<count).map { index in
            AuditEvent(index: Int64(index), time: "2026-11-26T12:00:00Z", action: .requestRefused, outcome: .denied,
                       actorRole: "anonymous", actorId: "-", remote: "127.0.0.1", requestId: "r\(index)").canonicalBytes
        }
    }

    static func checkpoint(_ events: [[UInt8]]) throws -> String {
        var accumulator = MerkleRootAccumulator()
        for event in events { try accumulator.append(leafHash: try MerkleTree.leafHash(event)) }
        return try AuditCheckpoint(origin: "handoff-vault/test", size: accumulator.size, rootHash: try accumulator.root()).signed(with: key)
    }

    static func verify(_ events: [[UInt8]], note: String, earlier: [String] = []) -> AuditVerificationFailure? {
        do {
            _ = try AuditVerifier.verify(export: AuditExport.render(events: events, checkpointNote: note), publicKey: key.publicKey, previousCheckpoints: earlier)
            return nil
        } catch {
            return error
        }
    }

    @Test("An untouched export verifies, alone and against earlier checkpoints")
    func good() throws {
        let events = Self.events(20)
        let note = try Self.checkpoint(events)
        #expect(Self.verify(events, note: note) == nil)
        #expect(Self.verify(events, note: note, earlier: [try Self.checkpoint(Array(events.prefix(7))), try Self.checkpoint(events)]) == nil)
    }

    @Test("Deleted, reordered and inserted events fail at their index")
    func structural() throws {
        let events = Self.events(20)
        let note = try Self.checkpoint(events)
        var deleted = events
        deleted.remove(at: 7)
        #expect(Self.verify(deleted, note: note)?.index == 7)
        var reordered = events
        reordered.swapAt(9, 10)
        #expect(Self.verify(reordered, note: note)?.index == 9)
        var inserted = events
        inserted.insert(Self.events(13)[12], at: 4)
        #expect(Self.verify(inserted, note: note)?.index == 4)
        var notCanonical = events
        notCanonical[5] = Array(String(decoding: events[5], as: UTF8.self).replacingOccurrences(of: ":", with: ": ").utf8)
        #expect(Self.verify(notCanonical, note: note)?.index == 5)
    }

    @Test("A changed event is located by the earlier checkpoints kept; without them the root fails")
    func changed() throws {
        let events = Self.events(20)
        let note = try Self.checkpoint(events)
        var changed = events
        changed[11] = Array(String(decoding: events[11], as: UTF8.self).replacingOccurrences(of: "denied", with: "success").utf8)
        #expect(Self.verify(changed, note: note)?.reason.contains("do not hash to the signed root") == true)
        let everySize = try (1...20).map { try Self.checkpoint(Array(events.prefix($0))) }
        let failure = Self.verify(changed, note: note, earlier: everySize)
        #expect(failure?.index == 11)
    }

    @Test("A rewritten history of the same size is caught by an earlier checkpoint")
    func rewritten() throws {
        let events = Self.events(20)
        let original = try Self.checkpoint(events)
        var rewritten = events
        rewritten[3] = Array(String(decoding: events[3], as: UTF8.self).replacingOccurrences(of: "denied", with: "success").utf8)
        let resigned = try Self.checkpoint(rewritten)
        #expect(Self.verify(rewritten, note: resigned) == nil, "alone, a re-signed rewrite looks fine")
        #expect(Self.verify(rewritten, note: resigned, earlier: [original]) != nil)
        #expect(Self.verify(rewritten, note: resigned, earlier: [try Self.checkpoint(Array(events.prefix(10)))])?.index == 0)
        let shrunk = try Self.checkpoint(Array(events.prefix(15)))
        #expect(Self.verify(Array(events.prefix(15)), note: shrunk, earlier: [original])?.reason.contains("shrank") == true)
    }

    @Test("A checkpoint signed by another key, or a missing checkpoint line, is refused")
    func signature() throws {
        let events = Self.events(3)
        let other = try AuditCheckpoint(origin: "x", size: 3, rootHash: Array(repeating: 0, count: 32)).signed(with: try SigningKeyPair.generate())
        #expect(Self.verify(events, note: other) != nil)
        #expect(throws: AuditVerificationFailure.self) {
            try AuditVerifier.verify(export: events.flatMap { $0 + [0x0A] }, publicKey: Self.key.publicKey)
        }
    }
}
