import Testing
import VaultCrypto

/// Each construction opens what it made, and refuses it after any single bit changes.
@Suite("Round trips and tampering")
struct RoundTripAndTamperTests {
    static let message = Array("endpoint=https://x.communication.azure.com/;accesskey=c2VjcmV0".utf8)

    static func flipping(_ bytes: [UInt8], bit: Int) -> [UInt8] {
        var copy = bytes
        copy[bit / 8] ^= 1 << UInt8(bit % 8)
        return copy
    }

    @Test("A sealed box opens with its key pair and yields the plaintext")
    func sealedBoxRoundTrip() throws {
        let recipient = try SealingKeyPair.generate()
        let sealed = try SealedBox.seal(try SecretBytes(copying: Self.message), to: recipient.publicKey)
        #expect(sealed.count == Self.message.count + SealedBox.overhead)
        let opened = try SealedBox.open(sealed, with: recipient)
        #expect(opened.withUnsafeBytes { Array($0) } == Self.message)
    }

    @Test("A sealed box with any one bit flipped is refused", arguments: [0, 100, 255, 256, 300, 500])
    func sealedBoxTamper(bit: Int) throws {
        let recipient = try SealingKeyPair.generate()
        let sealed = try SealedBox.seal(try SecretBytes(copying: Self.message), to: recipient.publicKey)
        let error = #expect(throws: CryptoError.self) {
            try SealedBox.open(Self.flipping(sealed, bit: bit), with: recipient)
        }
        #expect(error?.code == .sealedBoxOpenFailed)
    }

    @Test("A sealed box does not open with another key pair")
    func sealedBoxWrongKey() throws {
        let sealed = try SealedBox.seal(try SecretBytes(copying: Self.message), to: try SealingKeyPair.generate().publicKey)
        #expect(throws: CryptoError.self) { try SealedBox.open(sealed, with: try SealingKeyPair.generate()) }
        #expect(throws: CryptoError.self) { try SealedBox.open([1, 2, 3], with: try SealingKeyPair.generate()) }
    }

    @Test("A key pair rebuilt from its secret key has the same public key")
    func sealingKeyFromSecret() throws {
        let original = try SealingKeyPair.generate()
        let rebuilt = try SealingKeyPair(secretKey: original.secretKey)
        #expect(rebuilt.publicKey == original.publicKey)
        #expect(throws: CryptoError.self) { try SealingKeyPair(secretKey: SecretBytes(copying: [1, 2])) }
        #expect(throws: CryptoError.self) { try SealingPublicKey(bytes: [UInt8](repeating: 1, count: 31)) }
    }

    @Test("AEAD opens with the same key and associated data")
    func aeadRoundTrip() throws {
        let key = try SecretBytes.random(count: XChaCha20Poly1305.keyByteCount)
        let box = try XChaCha20Poly1305.seal(Self.message, key: key, associatedData: Array("submissions|1|h".utf8))
        #expect(box.count == Self.message.count + XChaCha20Poly1305.nonceByteCount + XChaCha20Poly1305.tagByteCount)
        let opened = try XChaCha20Poly1305.open(box, key: key, associatedData: Array("submissions|1|h".utf8))
        #expect(opened.withUnsafeBytes { Array($0) } == Self.message)
        let secretBox = try XChaCha20Poly1305.seal(key, key: key, associatedData: [])
        #expect(try XChaCha20Poly1305.open(secretBox, key: key, associatedData: []) == key)
    }

    /// Bits in the nonce, the ciphertext and the tag, in that order.
    @Test("AEAD refuses a flipped bit in nonce, ciphertext or tag", arguments: [0, 191, 192, 300, 8 * 24 + 8 * 62 + 5])
    func aeadTamperCiphertext(bit: Int) throws {
        let key = try SecretBytes.random(count: XChaCha20Poly1305.keyByteCount)
        let box = try XChaCha20Poly1305.seal(Self.message, key: key, associatedData: [1])
        let error = #expect(throws: CryptoError.self) {
            try XChaCha20Poly1305.open(Self.flipping(box, bit: bit), key: key, associatedData: [1])
        }
        #expect(error?.code == .authenticationFailed)
    }

    @Test("AEAD refuses other associated data, another key, and a short box")
    func aeadTamperContext() throws {
        let key = try SecretBytes.random(count: XChaCha20Poly1305.keyByteCount)
        let box = try XChaCha20Poly1305.seal(Self.message, key: key, associatedData: Array("record-1".utf8))
        #expect(throws: CryptoError.self) {
            try XChaCha20Poly1305.open(box, key: key, associatedData: Array("record-2".utf8))
        }
        #expect(throws: CryptoError.self) {
            try XChaCha20Poly1305.open(box, key: try SecretBytes.random(count: 32), associatedData: Array("record-1".utf8))
        }
        #expect(throws: CryptoError.self) { try XChaCha20Poly1305.open([0, 1], key: key, associatedData: []) }
        let error = #expect(throws: CryptoError.self) {
            try XChaCha20Poly1305.seal(Self.message, key: try SecretBytes.random(count: 16), associatedData: [])
        }
        #expect(error?.code == .invalidLength)
    }

    @Test("Ed25519 refuses a flipped bit in the signature or the message")
    func signatureTamper() throws {
        let signer = try SigningKeyPair.generate()
        let signature = try signer.sign(Self.message)
        #expect(signer.publicKey.isValidSignature(signature, for: Self.message))
        #expect(!signer.publicKey.isValidSignature(Self.flipping(signature, bit: 3), for: Self.message))
        #expect(!signer.publicKey.isValidSignature(signature, for: Self.flipping(Self.message, bit: 9)))
        #expect(!signer.publicKey.isValidSignature(Array(signature.prefix(63)), for: Self.message))
        let error = #expect(throws: CryptoError.self) {
            try SigningKeyPair.generate().publicKey.verify(signature, for: Self.message)
        }
        #expect(error?.code == .signatureInvalid)
    }
}
