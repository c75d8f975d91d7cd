import CSodium

/// An X25519 public key that sealed boxes are addressed to (the package generator's).
package struct SealingPublicKey: Hashable, Sendable {
    /// The 32 raw key bytes.
    package let bytes: [UInt8]

    /// Wraps raw key bytes; throws unless there are exactly 32.
    package init(bytes: [UInt8]) throws(CryptoError) {
        try Sodium.ensureInitialized()
        guard bytes.count == crypto_box_publickeybytes() else {
            throw CryptoError(.invalidLength, "an X25519 public key is \(crypto_box_publickeybytes()) bytes")
        }
        self.bytes = bytes
    }
}

/// An X25519 key pair whose secret half lives in guarded memory.
package struct SealingKeyPair: Sendable {
    /// The half that is shared.
    package let publicKey: SealingPublicKey
    /// The half that never leaves the generator's machine.
    package let secretKey: SecretBytes

    /// A fresh key pair from libsodium's CSPRNG.
    package static func generate() throws(CryptoError) -> SealingKeyPair {
        try Sodium.ensureInitialized()
        var publicBytes = [UInt8](repeating: 0, count: crypto_box_publickeybytes())
        var status: Int32 = 0
        let secret = try SecretBytes(count: crypto_box_secretkeybytes()) { buffer in
            status = crypto_box_keypair(&publicBytes, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        try check(status, .operationFailed, "X25519 key generation failed")
        return SealingKeyPair(publicKey: try SealingPublicKey(bytes: publicBytes), secretKey: secret)
    }

    /// Rebuilds a key pair from its 32-byte secret key, deriving the public key.
    package init(secretKey: SecretBytes) throws(CryptoError) {
        try Sodium.ensureInitialized()
        guard secretKey.count == crypto_box_secretkeybytes() else {
            throw CryptoError(.invalidLength, "an X25519 secret key is \(crypto_box_secretkeybytes()) bytes")
        }
        var publicBytes = [UInt8](repeating: 0, count: crypto_box_publickeybytes())
        let status = secretKey.withUnsafePointer { secret in
            crypto_scalarmult_base(&publicBytes, secret)
        }
        try check(status, .invalidKey, "X25519 secret key rejected")
        self.init(publicKey: try SealingPublicKey(bytes: publicBytes), secretKey: secretKey)
    }

    private init(publicKey: SealingPublicKey, secretKey: SecretBytes) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }
}

/// Anonymous sealed boxes (`crypto_box_seal`): X25519 with an ephemeral sender key and
/// XSalsa20-Poly1305. Only the holder of the recipient's secret key can open one.
package enum SealedBox {
    /// How many bytes sealing adds to the plaintext (ephemeral key and tag).
    package static var overhead: Int { crypto_box_sealbytes() }

    /// Seals secret `plaintext` to `recipient`.
    package static func seal(_ plaintext: SecretBytes, to recipient: SealingPublicKey) throws(CryptoError) -> [UInt8] {
        try Sodium.ensureInitialized()
        var sealed = [UInt8](repeating: 0, count: plaintext.count + overhead)
        let status = plaintext.withUnsafeBytes { message in
            crypto_box_seal(
                &sealed,
                message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count),
                recipient.bytes
            )
        }
        try check(status, .operationFailed, "sealing failed")
        return sealed
    }

    /// Opens a sealed box into guarded memory; throws when the box was not sealed to this key
    /// pair or was changed in any bit.
    package static func open(_ sealed: [UInt8], with keyPair: SealingKeyPair) throws(CryptoError) -> SecretBytes {
        try Sodium.ensureInitialized()
        guard sealed.count >= overhead else {
            throw CryptoError(.sealedBoxOpenFailed, "sealed box is shorter than its overhead")
        }
        var status: Int32 = 0
        let opened = try SecretBytes(count: sealed.count - overhead) { message in
            status = keyPair.secretKey.withUnsafePointer { secret in
                crypto_box_seal_open(
                    message.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    sealed, UInt64(sealed.count),
                    keyPair.publicKey.bytes,
                    secret
                )
            }
        }
        try check(status, .sealedBoxOpenFailed, "sealed box could not be opened with this key")
        return opened
    }
}
