import CSodium

/// An Ed25519 public key that verifies receipts and checkpoints.
package struct SigningPublicKey: Hashable, Sendable {
    /// The 32 raw key bytes.
    package let bytes: [UInt8]

    /// Wraps raw key bytes; throws unless there are exactly 32.
    package init(bytes: [UInt8]) throws(CryptoError) {
        try Sodium.ensureInitialized()
        guard bytes.count == crypto_sign_publickeybytes() else {
            throw CryptoError(.invalidLength, "an Ed25519 public key is \(crypto_sign_publickeybytes()) bytes")
        }
        self.bytes = bytes
    }

    /// Whether `signature` is a valid Ed25519 signature of `message` under this key.
    package func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == crypto_sign_bytes() else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), bytes) == 0
    }

    /// Throws `signatureInvalid` unless `signature` verifies.
    package func verify(_ signature: [UInt8], for message: [UInt8]) throws(CryptoError) {
        guard isValidSignature(signature, for: message) else {
            throw CryptoError(.signatureInvalid, "Ed25519 signature does not verify")
        }
    }
}

/// An Ed25519 key pair (the server's receipt and checkpoint key). The 32-byte seed is the
/// secret that gets stored (wrapped); the expanded secret key is derived from it.
package struct SigningKeyPair: Sendable {
    /// The half that verifies.
    package let publicKey: SigningPublicKey
    /// The 32-byte seed from which the key pair is derived.
    package let seed: SecretBytes
    private let expandedSecretKey: SecretBytes

    /// A fresh key pair.
    package static func generate() throws(CryptoError) -> SigningKeyPair {
        try SigningKeyPair(seed: try SecretBytes.random(count: crypto_sign_seedbytes()))
    }

    /// Derives the key pair from a 32-byte seed (RFC 8032's secret key).
    package init(seed: SecretBytes) throws(CryptoError) {
        try Sodium.ensureInitialized()
        guard seed.count == crypto_sign_seedbytes() else {
            throw CryptoError(.invalidLength, "an Ed25519 seed is \(crypto_sign_seedbytes()) bytes")
        }
        var publicBytes = [UInt8](repeating: 0, count: crypto_sign_publickeybytes())
        var status: Int32 = 0
        expandedSecretKey = try SecretBytes(count: crypto_sign_secretkeybytes()) { secret in
            status = seed.withUnsafePointer { seedPointer in
                crypto_sign_seed_keypair(
                    &publicBytes,
                    secret.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    seedPointer
                )
            }
        }
        try check(status, .operationFailed, "Ed25519 key derivation failed")
        self.seed = seed
        self.publicKey = try SigningPublicKey(bytes: publicBytes)
    }

    /// The 64-byte detached signature of `message`.
    package func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: crypto_sign_bytes())
        let status = expandedSecretKey.withUnsafePointer { secret in
            crypto_sign_detached(&signature, nil, message, UInt64(message.count), secret)
        }
        try check(status, .operationFailed, "Ed25519 signing failed")
        return signature
    }
}
