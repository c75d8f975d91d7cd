import VaultCrypto

/// RFC 9162 (Certificate Transparency v2) Merkle tree hashing and proof verification — what a
/// verifier needs, also compiled into the page's WebAssembly. Proof generation is in
/// `MerkleTree+Proofs.swift`.
package enum MerkleTree {
    /// SHA-256 of the empty string: the root of the empty tree.
    package static func emptyRoot() throws(CryptoError) -> [UInt8] { try SHA256.hash([UInt8]()) }

    /// `SHA-256(0x00 ‖ data)`.
    package static func leafHash(_ data: [UInt8]) throws(CryptoError) -> [UInt8] {
        var hasher = try SHA256()
        hasher.update([0x00])
        hasher.update(data)
        return hasher.finalize()
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`.
    package static func nodeHash(_ left: [UInt8], _ right: [UInt8]) throws(CryptoError) -> [UInt8] {
        var hasher = try SHA256()
        hasher.update([0x01])
        hasher.update(left)
        hasher.update(right)
        return hasher.finalize()
    }

    /// The largest power of two smaller than `n` (n > 1).
    static func split(_ n: Int64) -> Int64 {
        var k: Int64 = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// Whether `proof` shows leaf `leafHash` at `index` in the tree of `size` with `root`
    /// (RFC 9162 §2.1.3.2).
    package static func verifyInclusion(leafHash: [UInt8], index: Int64, size: Int64, proof: [[UInt8]], root: [UInt8]) -> Bool {
        guard index >= 0, index < size, leafHash.count == 32, root.count == 32, proof.allSatisfy({ $0.count == 32 }) else { return false }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            guard sn != 0, let next = try? (fn & 1 == 1 || fn == sn ? nodeHash(p, r) : nodeHash(r, p)) else { return false }
            if fn & 1 == 0 && fn == sn {
                while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
            }
            r = next
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Whether `proof` shows that the tree of `first` leaves with `firstRoot` is a prefix of the
    /// tree of `second` leaves with `secondRoot` (RFC 9162 §2.1.4.2).
    package static func verifyConsistency(first: Int64, second: Int64, proof: [[UInt8]], firstRoot: [UInt8], secondRoot: [UInt8]) -> Bool {
        guard first >= 0, first <= second, proof.allSatisfy({ $0.count == 32 }) else { return false }
        if first == second { return proof.isEmpty && firstRoot == secondRoot }
        if first == 0 { return proof.isEmpty }
        guard !proof.isEmpty else { return false }
        var path = proof
        if first & (first - 1) == 0 { path.insert(firstRoot, at: 0) }
        var fn = first - 1
        var sn = second - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                guard let f = try? nodeHash(c, fr), let s = try? nodeHash(c, sr) else { return false }
                fr = f
                sr = s
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                guard let s = try? nodeHash(sr, c) else { return false }
                sr = s
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == firstRoot && sr == secondRoot && sn == 0
    }
}

/// The root of a growing list of leaves in O(log n) memory: the perfect subtrees along the
/// right edge, as the offline verifier needs for a million-event export.
package struct MerkleRootAccumulator: Sendable {
    /// Perfect-subtree roots, largest first, with their levels.
    private var stack: [(level: Int, hash: [UInt8])] = []
    /// How many leaves were added.
    package private(set) var size: Int64 = 0

    package init() {}

    /// Adds the next leaf hash.
    package mutating func append(leafHash: [UInt8]) throws(CryptoError) {
        var node = (level: 0, hash: leafHash)
        while let last = stack.last, last.level == node.level {
            stack.removeLast()
            node = (node.level + 1, try MerkleTree.nodeHash(last.hash, node.hash))
        }
        stack.append(node)
        size += 1
    }

    /// The root of the leaves so far.
    package func root() throws(CryptoError) -> [UInt8] {
        guard var hash = stack.last?.hash else { return try MerkleTree.emptyRoot() }
        for node in stack.dropLast().reversed() { hash = try MerkleTree.nodeHash(node.hash, hash) }
        return hash
    }
}
