import Testing
import VaultCrypto

/// Published vectors: the wrapper must reproduce them bit for bit.
@Suite("Known answers")
struct KnownAnswerTests {
    /// RFC 8032 §7.1, TEST 1–3 (secret key = seed, public key, message, signature).
    static let ed25519Vectors: [(seed: String, publicKey: String, message: String, signature: String)] = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
        (
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        ),
    ]

    @Test("Ed25519 reproduces RFC 8032 tests 1–3", arguments: 0..<3)
    func ed25519(index: Int) throws {
        let vector = Self.ed25519Vectors[index]
        let seed = try #require(Hex.decode(vector.seed))
        let publicKey = try #require(Hex.decode(vector.publicKey))
        let message = try #require(Hex.decode(vector.message))
        let keyPair = try SigningKeyPair(seed: SecretBytes(copying: seed))
        #expect(keyPair.publicKey.bytes == publicKey)
        let signature = try keyPair.sign(message)
        #expect(Hex.encode(signature) == vector.signature)
        #expect(keyPair.publicKey.isValidSignature(signature, for: message))
    }

    /// FIPS 180-4 examples (and the empty string).
    @Test("SHA-256 reproduces FIPS 180 examples", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256(message: String, digest: String) throws {
        #expect(Hex.encode(try SHA256.hash(Array(message.utf8))) == digest)
    }

    @Test("Incremental SHA-256 equals one-shot")
    func sha256Incremental() throws {
        var hasher = try SHA256()
        hasher.update([0x00])
        hasher.update(Array("abc".utf8))
        #expect(hasher.finalize() == (try SHA256.hash([0x00] + Array("abc".utf8))))
    }

    /// BLAKE2 reference `blake2b-kat.txt`, keyed, key = 00 01 … 3f, 64-byte output.
    @Test("Keyed BLAKE2b reproduces the BLAKE2 reference KAT", arguments: [
        ([UInt8](), "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568"),
        ([UInt8(0)], "961f6dd1e4dd30f63901690c512e78e4b45e4742ed197c3c5e45c549fd25f2e4187b0bc9fe30492b16b0d0bc4ef9b0f34c7003fac09a5ef1532e69430234cebd"),
    ])
    func keyedBlake2b(message: [UInt8], digest: String) throws {
        let key = try SecretBytes(copying: (0..<64).map { UInt8($0) })
        #expect(Hex.encode(try KeyedBLAKE2b.hash(message, key: key, outputLength: 64)) == digest)
    }

    @Test("Keyed BLAKE2b refuses a key that is too short")
    func keyedBlake2bShortKey() throws {
        let error = #expect(throws: CryptoError.self) {
            try KeyedBLAKE2b.hash([1], key: SecretBytes(copying: [1, 2, 3]))
        }
        #expect(error?.code == .invalidLength)
    }
}

@Suite("Coded errors")
struct CodedErrorTests {
    @Test("Errors are equal by code, whatever their wording; the description leads with the code")
    func equalityByCode() {
        #expect(CryptoError(.invalidKey, "one wording") == CryptoError(.invalidKey, "another"))
        #expect(CryptoError(.invalidKey, "same") != CryptoError(.invalidLength, "same"))
        #expect(CryptoError(.invalidKey, "bad key").description == "crypto.invalid_key: bad key")
    }
}
