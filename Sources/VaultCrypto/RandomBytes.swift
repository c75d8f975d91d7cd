import CSodium

/// Public random bytes (identifiers, nonces) from libsodium's CSPRNG.
///
/// For key material use `SecretBytes.random(count:)`, which never leaves guarded memory.
package enum RandomBytes {
    /// `count` random bytes.
    package static func generate(count: Int) throws(CryptoError) -> [UInt8] {
        try Sodium.ensureInitialized()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { randombytes_buf(base, buffer.count) }
        }
        return bytes
    }
}
