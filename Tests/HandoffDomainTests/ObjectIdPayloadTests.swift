import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto

/// The Step 10 payload (`ObjectIdPayload`): its committed vector `Tests/Vectors/object-id-payload.json`
/// opens here and with PyNaCl (scripts/interop/sealed_payload.py), PyNaCl's boxes open here, and
/// every box that is not exactly one canonical Step 10 payload for this handoff is refused.
@Suite("Step 10 payload")
struct ObjectIdPayloadTests {
    static let vectorURL = TestPaths.vectors.appendingPathComponent("object-id-payload.json")
    static let script = TestPaths.repository.appendingPathComponent("scripts/interop/sealed_payload.py").path
    static let handoffId = "5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77"

    static func keyPair() throws -> SealingKeyPair { try SealingKeyPair(secretKey: SecretBytes(copying: (1...32).map { UInt8($0) })) }

    static func opened(_ sealed: [UInt8], handoffId: String = handoffId) throws -> ObjectIdPayload? {
        guard case .objectId(let payload) = try OpenedPayload.open(sealed, with: try keyPair(), expectedHandoffId: handoffId) else { return nil }
        return payload
    }

    @Test("The committed vector opens as the Step 10 payload, PyNaCl opens it, and PyNaCl's box opens here")
    func vector() async throws {
        let vector = try #require(try JSONParser.parse(Array(try Data(contentsOf: Self.vectorURL))).objectValue)
        let sealedText = try #require(vector["sealed"]?.stringValue)
        let payload = try #require(try Self.opened(Base64.decode(sealedText)))
        #expect(payload.teamsAppObjectId == "2f0c1b7e-3a4d-4c5e-9f60-718293a4b5c6")
        #expect(String(decoding: payload.canonicalBytes, as: UTF8.self) == vector["payload"]?.stringValue)
        let pynaclOpens = try await ProcessRunner.python([Self.script, "open", Self.vectorURL.path])
        #expect(pynaclOpens.status == 0 && pynaclOpens.standardOutput.hasPrefix("ok:"), "\(pynaclOpens.standardError)")
        let sealed = try await ProcessRunner.python([Self.script, "seal", Self.vectorURL.path])
        let boxText = try #require(try JSONParser.parse(sealed.standardOutput).objectValue?["sealed"]?.stringValue)
        let box = try Base64.decode(boxText)
        #expect(try Self.opened(box) == payload)
    }

    @Test("Refused: another handoff, not canonical, a key too many, not a GUID, an unknown kind; a values reader refuses it")
    func refusals() throws {
        let recipient = try Self.keyPair().publicKey
        let good = try ObjectIdPayload(handoffId: Self.handoffId, sealedAt: "2026-12-01T12:00:00Z", teamsAppObjectId: " 2F0C1B7E-3A4D-4C5E-9F60-718293A4B5C6\n")
        #expect(good.teamsAppObjectId == "2f0c1b7e-3a4d-4c5e-9f60-718293a4b5c6")
        let box = try good.seal(to: recipient)
        #expect(throws: FormatError.self) { try Self.opened(box, handoffId: "6b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77") }
        #expect(throws: FormatError.self) { try SealedPayload.open(box, with: try Self.keyPair(), expectedHandoffId: Self.handoffId) }
        let base = #"{"handoffId":"5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77","kind":"teams-app-object-id","sealedAt":"2026-12-01T12:00:00Z","#
        for text in [
            base + #""teamsAppObjectId":"2f0c1b7e-3a4d-4c5e-9f60-718293a4b5c6", "v":1}"#,
            base + #""extra":1,"teamsAppObjectId":"2f0c1b7e-3a4d-4c5e-9f60-718293a4b5c6","v":1}"#,
            base + #""teamsAppObjectId":"not-a-guid","v":1}"#,
            base + #""teamsAppObjectId":"2F0C1B7E-3A4D-4C5E-9F60-718293A4B5C6","v":1}"#,
            base.replacingOccurrences(of: "teams-app-object-id", with: "something-else") + #""teamsAppObjectId":"2f0c1b7e-3a4d-4c5e-9f60-718293a4b5c6","v":1}"#,
        ] {
            let sealed = try SealedBox.seal(try SecretBytes(copying: Array(text.utf8)), to: recipient)
            #expect(throws: FormatError.self, "\(text)") { try Self.opened(sealed) }
        }
        #expect(throws: ValuesInvalid.self) { try ObjectIdPayload(handoffId: Self.handoffId, sealedAt: "2026-12-01T12:00:00Z", teamsAppObjectId: "") }
    }

    /// Regenerates the vector; run once with HANDOFF_WRITE_VECTORS=1 when the format version changes.
    @Test("Write the Step 10 payload vector", .enabled(if: ProcessInfo.processInfo.environment["HANDOFF_WRITE_VECTORS"] == "1"))
    func writeVector() throws {
        let keyPair = try Self.keyPair()
        let payload = try ObjectIdPayload(handoffId: Self.handoffId, sealedAt: "2026-12-01T12:00:00Z", teamsAppObjectId: "2f0c1b7e-3a4d-4c5e-9f60-718293a4b5c6")
        let vector: JSONValue = [
            "description": "Handoff Vault Step 10 payload v1 (the Teams app's Object ID alone): crypto_box_seal(recipientPublicKey, payload). The key pair is fixed and public (the sealed-payload vector's).",
            "recipientSecretKey": .string(keyPair.secretKey.withUnsafeBytes { Base64.encode($0) }),
            "recipientPublicKey": .string(Base64.encode(keyPair.publicKey.bytes)),
            "handoffId": .string(payload.handoffId),
            "payload": .string(String(decoding: payload.canonicalBytes, as: UTF8.self)),
            "sealed": .string(Base64.encode(try payload.seal(to: keyPair.publicKey))),
        ]
        try Data(CanonicalJSON.encode(vector) + [0x0A]).write(to: Self.vectorURL)
    }
}
