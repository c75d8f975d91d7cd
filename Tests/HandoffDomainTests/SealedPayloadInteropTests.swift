import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto

/// The committed vector `Tests/Vectors/sealed-payload.json` pins the sealed-payload format:
/// a fixed X25519 key pair, a canonical payload and a box sealed by this implementation.
/// PyNaCl (scripts/interop/sealed_payload.py) must open it, and must seal boxes we open.
@Suite("Sealed payload interop")
struct SealedPayloadInteropTests {
    static let vectorURL = TestPaths.vectors.appendingPathComponent("sealed-payload.json")
    static let script = TestPaths.repository.appendingPathComponent("scripts/interop/sealed_payload.py").path

    struct Vector {
        let keyPair: SealingKeyPair
        let payload: String
        let handoffId: String
        let sealed: [UInt8]

        init() throws {
            let json = try JSONParser.parse(Array(try Data(contentsOf: SealedPayloadInteropTests.vectorURL)))
            let members = try #require(json.objectValue)
            keyPair = try SealingKeyPair(secretKey: Base64.decodeSecret(try #require(members["recipientSecretKey"]?.stringValue)))
            #expect(Base64.encode(keyPair.publicKey.bytes) == members["recipientPublicKey"]?.stringValue)
            payload = try #require(members["payload"]?.stringValue)
            handoffId = try #require(members["handoffId"]?.stringValue)
            sealed = try Base64.decode(try #require(members["sealed"]?.stringValue))
        }
    }

    @Test("The committed vector opens, and its payload is the canonical encoding of its values")
    func vectorOpens() throws {
        let vector = try Vector()
        let payload = try SealedPayload.open(vector.sealed, with: vector.keyPair, expectedHandoffId: vector.handoffId)
        #expect(payload.handoffId == vector.handoffId)
        let reencoded = try payload.canonicalBytes().withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        #expect(reencoded == vector.payload)
    }

    @Test("PyNaCl opens the Swift-made vector")
    func pynaclOpensSwiftBox() async throws {
        let result = try await ProcessRunner.python([Self.script, "open", Self.vectorURL.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("ok:"))
    }

    @Test("A box sealed by PyNaCl opens here, and names the vector's handoff")
    func swiftOpensPynaclBox() async throws {
        let vector = try Vector()
        let result = try await ProcessRunner.python([Self.script, "seal", Self.vectorURL.path])
        try #require(result.status == 0, "\(result.standardError)")
        let sealedText = try #require(try JSONParser.parse(result.standardOutput).objectValue?["sealed"]?.stringValue)
        let sealed = try Base64.decode(sealedText)
        #expect(sealed != vector.sealed, "PyNaCl must have sealed afresh with its own ephemeral key")
        let opened = try SealedPayload.open(sealed, with: vector.keyPair, expectedHandoffId: vector.handoffId)
        #expect(try opened.canonicalBytes().withUnsafeBytes { String(decoding: $0, as: UTF8.self) } == vector.payload)
    }

    /// Regenerates the vector; run once with HANDOFF_WRITE_VECTORS=1 when the format version changes.
    @Test("Write the sealed-payload vector", .enabled(if: ProcessInfo.processInfo.environment["HANDOFF_WRITE_VECTORS"] == "1"))
    func writeVector() async throws {
        let document = try Data(contentsOf: TestPaths.valuesFixtures.appendingPathComponent("valid-minimal.json"))
        let values = try HandoffValues.validate(document: Array(document))
        let keyPair = try SealingKeyPair(secretKey: SecretBytes(copying: (1...32).map { UInt8($0) }))
        let payload = SealedPayload(
            handoffId: "5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77", sealedAt: "2026-11-26T12:00:00Z", values: values
        )
        let text = try payload.canonicalBytes().withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        let vector: JSONValue = [
            "description": "Handoff Vault sealed payload v1: crypto_box_seal(recipientPublicKey, payload). The key pair is fixed and public; the values are from shared/fixtures/values/valid-minimal.json and are not real.",
            "recipientSecretKey": .string(keyPair.secretKey.withUnsafeBytes { Base64.encode($0) }),
            "recipientPublicKey": .string(Base64.encode(keyPair.publicKey.bytes)),
            "handoffId": .string(payload.handoffId),
            "payload": .string(text),
            "sealed": .string(Base64.encode(try payload.seal(to: keyPair.publicKey))),
        ]
        try Data(CanonicalJSON.encode(vector) + [0x0A]).write(to: Self.vectorURL)
        // What was written is a vector: it reads back, its box opens to its payload, and PyNaCl opens it.
        let written = try Vector()
        #expect(written.payload == text && written.keyPair.publicKey.bytes == keyPair.publicKey.bytes)
        let opened = try SealedPayload.open(written.sealed, with: written.keyPair, expectedHandoffId: written.handoffId)
        #expect(try opened.canonicalBytes().withUnsafeBytes { String(decoding: $0, as: UTF8.self) } == text)
        try await pynaclOpensSwiftBox()
    }
}
