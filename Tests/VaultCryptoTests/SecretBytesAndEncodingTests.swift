import Testing
import VaultCrypto

@Suite("Secret bytes and base64")
struct SecretBytesAndEncodingTests {
    @Test("Secret bytes compare by content, and never print it")
    func secretBytes() throws {
        let a = try SecretBytes(copying: [1, 2, 3])
        let b = try SecretBytes(copying: [1, 2, 3])
        let c = try SecretBytes(copying: [1, 2, 4])
        #expect(a == b)
        #expect(a != c)
        #expect(a != (try SecretBytes(copying: [1, 2])))
        #expect(try SecretBytes(copying: []) == SecretBytes(copying: []))
        #expect("\(a)" == "SecretBytes(3 bytes, redacted)")
        let random = try SecretBytes.random(count: 32)
        #expect(random.count == 32)
        #expect(random != (try SecretBytes.random(count: 32)))
    }

    @Test("A throwing initializer frees the memory and rethrows")
    func initializerThrows() {
        let refused = #expect(throws: CryptoError.self) {
            try SecretBytes(count: 8) { _ throws(CryptoError) in throw CryptoError(.operationFailed, "the initializer refused") }
        }
        #expect(refused?.reason == "the initializer refused")
    }

    @Test("Base64 round-trips each variant and refuses non-canonical text")
    func base64() throws {
        let bytes: [UInt8] = [0xFB, 0xFF, 0x00, 0x10]
        #expect(Base64.encode(bytes) == "+/8AEA==")
        #expect(Base64.encode(bytes, .urlSafeUnpadded) == "-_8AEA")
        #expect(Base64.encode(bytes, .standardUnpadded) == "+/8AEA")
        #expect(try Base64.decode("+/8AEA==") == bytes)
        #expect(try Base64.decode("-_8AEA", .urlSafeUnpadded) == bytes)
        #expect(try Base64.decode("") == [])
        for bad in ["+/8AEA=", "+/8AEB==", "+/8A EA==", "-_8AEA==", "+/8AEA==\n", "%%%%"] {
            #expect(throws: CryptoError.self, "\(bad)") { try Base64.decode(bad) }
        }
        #expect(throws: CryptoError.self) { try Base64.decode("+/8AEA", .urlSafeUnpadded) }
        let secret = try Base64.decodeSecret("AQID")
        #expect(secret == (try SecretBytes(copying: [1, 2, 3])))
    }

    /// Found by the invite-code fuzzer: libsodium 1.0.18 reads the text as signed chars, so some
    /// non-ASCII bytes alias alphabet letters ("Ֆ" = D5 96 decoded as "//").
    @Test("Base64 refuses non-ASCII text that libsodium would alias to alphabet characters")
    func base64NonASCII() throws {
        #expect(try Base64.decode("//8=") == [0xFF, 0xFF])
        for variant in [Base64.Variant.standard, .standardUnpadded, .urlSafeUnpadded] {
            #expect(throws: CryptoError.self, "\(variant)") { try Base64.decode("\u{0556}8=", variant) }
            #expect(throws: CryptoError.self, "\(variant)") { try Base64.decodeSecret("AQ\u{0556}D", variant) }
            #expect(throws: CryptoError.self, "\(variant)") { try Base64.decode("AQID\u{00FF}", variant) }
        }
    }

    @Test("Random bytes differ between calls")
    func randomBytes() throws {
        let first = try RandomBytes.generate(count: 16)
        #expect(first.count == 16)
        #expect(first != (try RandomBytes.generate(count: 16)))
    }
}
