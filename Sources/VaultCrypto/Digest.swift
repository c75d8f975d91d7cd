import CSodium

/// SHA-256 (FIPS 180-4), used for Merkle leaves and nodes, receipts and key IDs.
package struct SHA256: Sendable {
    /// The digest length in bytes.
    package static let byteCount = 32

    private var state = crypto_hash_sha256_state()

    /// Starts an incremental hash.
    package init() throws(CryptoError) {
        try Sodium.ensureInitialized()
        try check(crypto_hash_sha256_init(&state), .operationFailed, "SHA-256 init failed")
    }

    /// Adds bytes to the hash.
    package mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        // Hash contiguous input in place; copy only sequences that have no contiguous storage.
        let hashed: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            _ = crypto_hash_sha256_update(&state, buffer.baseAddress, UInt64(buffer.count))
        }
        if hashed == nil {
            let contiguous = Array(bytes)
            contiguous.withUnsafeBufferPointer { buffer in
                _ = crypto_hash_sha256_update(&state, buffer.baseAddress, UInt64(buffer.count))
            }
        }
    }

    /// Finishes the hash and returns the 32-byte digest.
    package mutating func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Self.byteCount)
        _ = crypto_hash_sha256_final(&state, &digest)
        return digest
    }

    /// The digest of `bytes` in one call.
    package static func hash<Bytes: Sequence>(_ bytes: Bytes) throws(CryptoError) -> [UInt8] where Bytes.Element == UInt8 {
        var hasher = try SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }
}

/// Keyed BLAKE2b (`crypto_generichash` with a key), used to store tokens as keyed hashes.
package enum KeyedBLAKE2b {
    /// Hashes `message` under `key` to `outputLength` bytes (16…64; default 32).
    package static func hash(
        _ message: [UInt8],
        key: SecretBytes,
        outputLength: Int = 32
    ) throws(CryptoError) -> [UInt8] {
        try Sodium.ensureInitialized()
        guard (crypto_generichash_bytes_min()...crypto_generichash_bytes_max()).contains(outputLength) else {
            throw CryptoError(.invalidLength, "BLAKE2b output length must be 16 to 64 bytes")
        }
        guard (crypto_generichash_keybytes_min()...crypto_generichash_keybytes_max()).contains(key.count) else {
            throw CryptoError(.invalidLength, "BLAKE2b key must be 16 to 64 bytes")
        }
        var output = [UInt8](repeating: 0, count: outputLength)
        let result = key.withUnsafeBytes { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                crypto_generichash(
                    &output, outputLength,
                    messageBuffer.baseAddress, UInt64(messageBuffer.count),
                    keyBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count
                )
            }
        }
        try check(result, .operationFailed, "BLAKE2b failed")
        return output
    }
}
