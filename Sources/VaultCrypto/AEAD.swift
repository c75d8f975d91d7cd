import CSodium

/// XChaCha20-Poly1305-IETF authenticated encryption with associated data, used to encrypt
/// records at rest and to wrap data keys under the master key.
///
/// The output is `nonce (24) ‖ ciphertext ‖ tag (16)`; the nonce is random per call, which is safe
/// with XChaCha20's 192-bit nonces.
package enum XChaCha20Poly1305 {
    /// Key length in bytes.
    package static var keyByteCount: Int { crypto_aead_xchacha20poly1305_ietf_keybytes() }
    /// Nonce length in bytes.
    package static var nonceByteCount: Int { crypto_aead_xchacha20poly1305_ietf_npubbytes() }
    /// Tag length in bytes.
    package static var tagByteCount: Int { crypto_aead_xchacha20poly1305_ietf_abytes() }

    /// Encrypts secret bytes (a data key being wrapped, say).
    package static func seal(_ plaintext: SecretBytes, key: SecretBytes, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try plaintext.withUnsafeBytes { (raw) throws(CryptoError) in try seal(raw: raw, key: key, associatedData: associatedData) }
    }

    /// Encrypts public or already-sealed bytes (a sealed box being stored, say).
    package static func seal(_ plaintext: [UInt8], key: SecretBytes, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        // The standard library's withUnsafeBytes only rethrows (an untyped error): the result
        // crosses it as a value.
        try plaintext.withUnsafeBytes { raw in
            Result { () throws(CryptoError) in try seal(raw: raw, key: key, associatedData: associatedData) }
        }.get()
    }

    /// Decrypts into guarded memory; throws `authenticationFailed` when any bit of the box, the
    /// associated data or the key differs.
    package static func open(_ box: [UInt8], key: SecretBytes, associatedData: [UInt8]) throws(CryptoError) -> SecretBytes {
        try Sodium.ensureInitialized()
        try checkKey(key)
        guard box.count >= nonceByteCount + tagByteCount else {
            throw CryptoError(.authenticationFailed, "ciphertext is shorter than nonce and tag")
        }
        let nonce = Array(box.prefix(nonceByteCount))
        let ciphertext = Array(box.dropFirst(nonceByteCount))
        var status: Int32 = 0
        let plaintext = try SecretBytes(count: ciphertext.count - tagByteCount) { output in
            var written: UInt64 = 0
            status = key.withUnsafePointer { keyPointer in
                crypto_aead_xchacha20poly1305_ietf_decrypt(
                    output.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, nil,
                    ciphertext, UInt64(ciphertext.count),
                    associatedData, UInt64(associatedData.count),
                    nonce, keyPointer
                )
            }
        }
        try check(status, .authenticationFailed, "decryption failed: wrong key or changed data")
        return plaintext
    }

    private static func seal(raw plaintext: UnsafeRawBufferPointer, key: SecretBytes, associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Sodium.ensureInitialized()
        try checkKey(key)
        let nonce = try RandomBytes.generate(count: nonceByteCount)
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + tagByteCount)
        var written: UInt64 = 0
        let status = key.withUnsafePointer { keyPointer in
            crypto_aead_xchacha20poly1305_ietf_encrypt(
                &ciphertext, &written,
                plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
                associatedData, UInt64(associatedData.count),
                nil, nonce, keyPointer
            )
        }
        try check(status, .operationFailed, "encryption failed")
        return nonce + ciphertext
    }

    private static func checkKey(_ key: SecretBytes) throws(CryptoError) {
        guard key.count == keyByteCount else {
            throw CryptoError(.invalidLength, "an XChaCha20-Poly1305 key is \(keyByteCount) bytes")
        }
    }
}
