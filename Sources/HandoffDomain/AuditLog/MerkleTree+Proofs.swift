import VaultCrypto

/// Proof generation reads perfect-subtree hashes through a `NodeSource`, so the server serves
/// proofs from the nodes it stores (O(log n) reads each) and tests from an in-memory tree.
extension MerkleTree {
    /// The hash of a perfect subtree: `level` 0 is a leaf, and the node at (`level`, `index`)
    /// covers leaves `index·2^level ..< (index+1)·2^level`.
    package typealias NodeSource = (_ level: Int, _ index: Int64) throws -> [UInt8]

    /// MTH(D[start:end]) from stored perfect subtrees: O(log n) reads.
    package static func subtreeHash(from start: Int64, to end: Int64, nodes: NodeSource) throws -> [UInt8] {
        let count = end - start
        if count == 0 { return try emptyRoot() }
        if count & (count - 1) == 0, start % count == 0 {
            return try nodes(count.trailingZeroBitCount, start / count)
        }
        let k = split(count)
        return try nodeHash(try subtreeHash(from: start, to: start + k, nodes: nodes), try subtreeHash(from: start + k, to: end, nodes: nodes))
    }

    /// The root of the tree of the first `size` leaves.
    package static func rootHash(size: Int64, nodes: NodeSource) throws -> [UInt8] {
        try subtreeHash(from: 0, to: size, nodes: nodes)
    }

    /// The audit path of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1).
    package static func inclusionProof(index: Int64, size: Int64, nodes: NodeSource) throws -> [[UInt8]] {
        precondition(index >= 0 && index < size, "inclusion proof outside the tree")
        func path(_ m: Int64, _ start: Int64, _ end: Int64) throws -> [[UInt8]] {
            let n = end - start
            if n == 1 { return [] }
            let k = split(n)
            if m < k {
                return try path(m, start, start + k) + [try subtreeHash(from: start + k, to: end, nodes: nodes)]
            }
            return try path(m - k, start + k, end) + [try subtreeHash(from: start, to: start + k, nodes: nodes)]
        }
        return try path(index, 0, size)
    }

    /// The consistency proof between the trees of `first` and `second` leaves (RFC 9162 §2.1.4.1).
    package static func consistencyProof(from first: Int64, to second: Int64, nodes: NodeSource) throws -> [[UInt8]] {
        precondition(first >= 0 && first <= second, "consistency proof needs first ≤ second")
        if first == 0 || first == second { return [] }
        func subproof(_ m: Int64, _ start: Int64, _ end: Int64, _ complete: Bool) throws -> [[UInt8]] {
            let n = end - start
            if m == n { return complete ? [] : [try subtreeHash(from: start, to: end, nodes: nodes)] }
            let k = split(n)
            if m <= k {
                return try subproof(m, start, start + k, complete) + [try subtreeHash(from: start + k, to: end, nodes: nodes)]
            }
            return try subproof(m - k, start + k, end, false) + [try subtreeHash(from: start, to: start + k, nodes: nodes)]
        }
        return try subproof(first, 0, second, true)
    }
}

/// A whole tree in memory (tests, small verifiers): every perfect-subtree hash, level by level.
package struct InMemoryMerkleTree: Sendable {
    private var levels: [[[UInt8]]] = [[]]

    package init(leafHashes: [[UInt8]] = []) throws {
        for hash in leafHashes { try append(leafHash: hash) }
    }

    package var size: Int64 { Int64(levels[0].count) }

    package mutating func append(leafHash: [UInt8]) throws {
        levels[0].append(leafHash)
        var level = 0
        var index = levels[0].count - 1
        while index & 1 == 1 {
            let parent = try MerkleTree.nodeHash(levels[level][index - 1], levels[level][index])
            if levels.count == level + 1 { levels.append([]) }
            levels[level + 1].append(parent)
            level += 1
            index >>= 1
        }
    }

    /// The node source over this tree.
    package var nodes: MerkleTree.NodeSource {
        { level, index in self.levels[level][Int(index)] }
    }
}
