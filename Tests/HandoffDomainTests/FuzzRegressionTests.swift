import Foundation
@testable import HandoffDomain
import TestSupport
import Testing
import VaultCrypto

/// The inputs the parser fuzzers found (`Fuzz/Regressions/<target>/`), replayed through the parsers
/// with the verdict each must now get. `scripts/fuzz/parsers.sh` also replays them through the
/// fuzz targets' own properties before every fuzzing run.
@Suite("Fuzzer regressions")
struct FuzzRegressionTests {
    static let directory = TestPaths.repository.appendingPathComponent("Fuzz/Regressions")

    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let folder = directory.appendingPathComponent(target)
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map {
            ($0, Array(try Data(contentsOf: folder.appendingPathComponent($0))))
        }
    }

    @Test("Every fuzz target's kept inputs are present")
    func present() throws {
        for target in ["invite-code", "signed-note", "connection-string"] {
            #expect(!(try Self.inputs(target)).isEmpty, "\(target)")
        }
    }

    /// An invite whose recipient key holds "Ֆ" where "//" belongs: libsodium 1.0.18 decoded it to
    /// the same key, so the same invite had a second text form.
    @Test("An invite with a non-ASCII alias in a base64 key is refused")
    func inviteCodes() throws {
        for input in try Self.inputs("invite-code") {
            let text = String(decoding: input.bytes, as: UTF8.self)
            #expect(throws: FormatError.self, "\(input.name)") { try InviteCode(decoding: text) }
        }
    }

    /// Text with a newline followed by U+200C: `contains("\n\n")` said no, so the signer signed
    /// text holding a blank line and the note could not be verified.
    @Test("Note text holding a blank line is refused by the signer, whatever follows it")
    func signedNotes() throws {
        let key = try SigningKeyPair(seed: SecretBytes(copying: [UInt8](repeating: 0x5A, count: 32)))
        for input in try Self.inputs("signed-note") {
            let text = String(decoding: input.bytes, as: UTF8.self)
            #expect(throws: FormatError.self, "\(input.name)") { try SignedNote.sign(text, keyName: "fuzz/note", with: key) }
        }
        for text in ["a\n\n\u{200C}b\n", "\n", "\na\n", "a\n\n"] {
            #expect(throws: FormatError.self, "\(text.debugDescription)") { try SignedNote.sign(text, keyName: "k", with: key) }
        }
        let note = try SignedNote.sign("a\u{200C}\nb\n", keyName: "k", with: key)
        #expect(try SignedNote.verify(note, publicKey: key.publicKey) == "a\u{200C}\nb\n")
    }

    /// An access key that spells "accesskey=": a fixed message word, not a leak. Kept so that the
    /// fuzzer's differential leak check stays differential.
    @Test("Connection strings the fuzzer kept get a verdict with messages")
    func connectionStrings() throws {
        for input in try Self.inputs("connection-string") {
            guard case .failure(let violation) = ACSConnectionString.parse(String(decoding: input.bytes, as: UTF8.self)) else {
                Issue.record("\(input.name) was accepted")
                continue
            }
            #expect(!violation.messages.isEmpty)
        }
    }

    /// The input that made Foundation's `contains(_:)` trap inside the fuzz harness (a connection
    /// string holding NULs), and its neighbours — every one-byte deletion, every prefix, and the
    /// NULs replaced — through every parser that takes untrusted text. Each must answer, and the
    /// connection strings must be refused with a message that does not quote the access key.
    @Test("The Foundation-trap input and its neighbours get a verdict from every parser")
    func foundationTrapNeighbours() throws {
        let original = try #require(try Self.inputs("connection-string").first { $0.name == "foundation-contains-trap" }).bytes
        var neighbours: [[UInt8]] = [original, original.map { $0 == 0 ? 0x20 : $0 }]
        for index in original.indices {
            var deleted = original
            deleted.remove(at: index)
            neighbours.append(deleted)
            neighbours.append(Array(original[..<index]))
        }
        let key = try SigningKeyPair(seed: SecretBytes(copying: [UInt8](repeating: 0x5A, count: 32)))
        var refused = 0
        for bytes in neighbours {
            let text = String(decoding: bytes, as: UTF8.self)
            switch ACSConnectionString.parse(text) {
            case .success: Issue.record("accepted: \(text.debugDescription)")
            case .failure(let violation):
                #expect(!violation.messages.isEmpty)
                refused += 1
            }
            _ = WebAddress.parse(text)
            _ = GUID.normalized(text)
            _ = try? JSONParser.parse(bytes)
            _ = try? HandoffValues.validate(document: bytes)
            _ = try? HandoffValues.validate(.object(["acsConnectionString": .string(text), "acsEndpoint": .string(text)]))
            #expect(throws: FormatError.self) { try InviteCode(decoding: text) }
            #expect(throws: FormatError.self) { try SignedNote.verify(text, publicKey: key.publicKey) }
            _ = try? Base64.decode(text)
        }
        #expect(refused == neighbours.count)
    }
}
