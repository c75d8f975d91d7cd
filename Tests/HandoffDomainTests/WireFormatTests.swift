import TestSupport
import Foundation
import HandoffDomain
import Testing
import VaultCrypto

@Suite("Invite codes, signed notes and receipts")
struct WireFormatTests {
    static func invite() throws -> InviteCode {
        InviteCode(
            handoffId: "5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77", recipientKey: try SealingKeyPair.generate().publicKey,
            server: "https://vault.example:8443", serverKey: try SigningKeyPair.generate().publicKey,
            token: try BearerToken.generate(for: .customer)
        )
    }

    @Test("An invite code round-trips and refuses anything not canonical or complete")
    func inviteCode() throws {
        let invite = try Self.invite()
        let code = invite.encoded()
        #expect(code.hasPrefix("hv1."))
        #expect(try InviteCode(decoding: code) == invite)
        #expect(try InviteCode(decoding: "  \(code)\n") == invite)
        let body = try Base64.decode(String(code.dropFirst(4)), .urlSafeUnpadded)
        var members = try #require(try JSONParser.parse(body).objectValue)
        var variants: [String] = [
            "hv2." + String(code.dropFirst(4)),
            String(code.dropLast(3)),
            "hv1." + Base64.encode(Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: ":", with: ": ").utf8), .urlSafeUnpadded),
            {
                members["server"] = "http://vault.example"
                return "hv1." + Base64.encode(CanonicalJSON.encode(.object(members)), .urlSafeUnpadded)
            }(),
            {
                members["server"] = "https://vault.example"
                members["token"] = .string(try! BearerToken.generate(for: .admin).withText { $0 })
                return "hv1." + Base64.encode(CanonicalJSON.encode(.object(members)), .urlSafeUnpadded)
            }(),
        ]
        // The handoff id becomes part of URLs and file names: only a lowercase UUID is one.
        members["token"] = .string(invite.token.withText { $0 })
        for handoffId in ["../../etc", "5B0C2A8E-7D1F-4C39-9A6E-2F4B8D1C0E77", "{5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77}", "x", "5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77/x"] {
            members["handoffId"] = .string(handoffId)
            variants.append("hv1." + Base64.encode(CanonicalJSON.encode(.object(members)), .urlSafeUnpadded))
        }
        for variant in variants {
            #expect(throws: FormatError.self) { try InviteCode(decoding: variant) }
        }
        #expect(!"\(invite.token)".contains(invite.token.withText { $0 }))
    }

    @Test("A signed note is C2SP-shaped and verifies only with its key and unchanged text")
    func signedNote() throws {
        let key = try SigningKeyPair.generate()
        let note = try SignedNote.sign("origin\n5\nAAAA\n", keyName: "handoff-vault/test", with: key)
        let lines = note.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[3] == "")
        #expect(lines[4].hasPrefix("— handoff-vault/test "))
        let blob = try Base64.decode(String(lines[4].split(separator: " ")[2]))
        #expect(blob.count == 68)
        #expect(Array(blob.prefix(4)) == (try SignedNote.keyID(name: "handoff-vault/test", publicKey: key.publicKey)))
        #expect(try SignedNote.verify(note, publicKey: key.publicKey) == "origin\n5\nAAAA\n")
        #expect(throws: FormatError.self) { try SignedNote.verify(note.replacingOccurrences(of: "\n5\n", with: "\n6\n"), publicKey: key.publicKey) }
        #expect(throws: FormatError.self) { try SignedNote.verify(note, publicKey: try SigningKeyPair.generate().publicKey) }
        #expect(throws: FormatError.self) { try SignedNote.verify("no signature", publicKey: key.publicKey) }
        #expect(throws: FormatError.self) { try SignedNote.sign("no newline", keyName: "k", with: key) }
        #expect(throws: FormatError.self) { try SignedNote.sign("x\n", keyName: "has space", with: key) }
    }

    /// The key ID rule from C2SP signed-note, checked with Python's hashlib (independent code).
    @Test("The note key ID matches an independent computation")
    func keyIDIndependent() async throws {
        let key = try SigningKeyPair(seed: SecretBytes(copying: [UInt8](repeating: 9, count: 32)))
        let python = try await TestSupportPython.run("""
            import hashlib, base64, sys
            pk = base64.b64decode(sys.argv[1])
            print(base64.b64encode(hashlib.sha256(b"handoff-vault/test\\n\\x01" + pk).digest()[:4]).decode())
            """, Base64.encode(key.publicKey.bytes))
        #expect(python == Base64.encode(try SignedNote.keyID(name: "handoff-vault/test", publicKey: key.publicKey)))
    }

    @Test("A receipt verifies for its handoff and its exact sealed bytes only")
    func receipt() throws {
        let key = try SigningKeyPair.generate()
        let sealed: [UInt8] = Array(repeating: 5, count: 100)
        let receipt = Receipt(handoffId: "h", submissionId: "s", sealedSHA256: try SHA256.hash(sealed), receivedAt: "2026-11-26T12:00:00Z", auditIndex: 7)
        #expect(receipt.text == "handoff-vault receipt v1\nh\ns\n\(Base64.encode(try SHA256.hash(sealed)))\n2026-11-26T12:00:00Z\n7\n")
        let note = try receipt.signed(keyName: "k", with: key)
        #expect(try Receipt.verify(note, serverKey: key.publicKey, handoffId: "h", sealed: sealed) == receipt)
        #expect(throws: FormatError.self) { try Receipt.verify(note, serverKey: key.publicKey, handoffId: "other", sealed: sealed) }
        #expect(throws: FormatError.self) { try Receipt.verify(note, serverKey: key.publicKey, handoffId: "h", sealed: sealed + [0]) }
        #expect(throws: FormatError.self) { try Receipt.verify(note, serverKey: try SigningKeyPair.generate().publicKey, handoffId: "h", sealed: sealed) }
    }

    @Test("The generator key file round-trips (v2 and v1) and refuses mismatched halves")
    func generatorKeyFile() throws {
        let keys = try GeneratorKeys.generate()
        let file = try GeneratorKeyFile.encode(keys).withUnsafeBytes { Array($0) }
        let decoded = try GeneratorKeyFile.decode(file)
        #expect(decoded.sealing.publicKey == keys.sealing.publicKey && decoded.signing?.publicKey == keys.signing?.publicKey)
        for field in ["publicKey", "signingPublicKey"] {
            var members = try #require(try JSONParser.parse(file).objectValue)
            members[field] = .string(Base64.encode(try SigningKeyPair.generate().publicKey.bytes))
            #expect(throws: FormatError.self, "\(field)") { try GeneratorKeyFile.decode(CanonicalJSON.encode(.object(members))) }
        }
        let version1 = try GeneratorKeyFile.encode(GeneratorKeys(sealing: keys.sealing, signing: nil)).withUnsafeBytes { Array($0) }
        #expect(try JSONParser.parse(version1).objectValue?["v"] == 1)
        #expect(try GeneratorKeyFile.decode(version1).signing == nil)
        let publicFile = keys.publicKeys.encoded()
        #expect(try GeneratorPublicKeys(decoding: publicFile) == keys.publicKeys)
        #expect(try GeneratorPublicKeys(decoding: Base64.encode(keys.sealing.publicKey.bytes) + "\n").signing == nil)
    }

    @Test("The package signature vector, made by an independent implementation (PyNaCl), is reproduced byte for byte")
    func packageSignatureVector() throws {
        let url = TestPaths.vectors.appendingPathComponent("package-signature.json")
        let vector = try #require(try JSONParser.parse(Array(try Data(contentsOf: url))).objectValue)
        let seedHex = try #require(vector["signingSeed"]?.stringValue)
        let seed = stride(from: 0, to: seedHex.count, by: 2).map { offset -> UInt8 in
            let start = seedHex.index(seedHex.startIndex, offsetBy: offset)
            return UInt8(seedHex[start..<seedHex.index(start, offsetBy: 2)], radix: 16) ?? 0
        }
        let key = try SigningKeyPair(seed: SecretBytes(copying: seed))
        #expect(Base64.encode(key.publicKey.bytes) == vector["signingPublicKey"]?.stringValue)
        let zip = try Base64.decode(try #require(vector["zip"]?.stringValue))
        let handoffId = try #require(vector["handoffId"]?.stringValue)
        let submissionId = try #require(vector["submissionId"]?.stringValue)
        let sequence = try #require(vector["sequence"]?.integerValue)
        let note = try PackageSignature.sign(
            zip: zip, handoffId: handoffId, submissionId: submissionId, sequence: sequence,
            recipientKeyId: try #require(vector["recipientKeyId"]?.stringValue), with: key
        )
        #expect(note == vector["note"]?.stringValue)
        let statement = try PackageSignature.verify(note, zip: zip, handoffId: handoffId, signingKey: key.publicKey)
        #expect(statement.submissionId == submissionId && statement.sequence == sequence)
    }

    @Test("A package signature (v2) binds the zip's bytes, its size, the handoff, the submission and the sequence, under the generator key")
    func packageSignature() throws {
        let keys = try GeneratorKeys.generate()
        let signing = try #require(keys.signing)
        let zip = Array("PK\u{3}\u{4} not really a zip".utf8)
        let h1 = "5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77", h2 = "6c1d3b9f-8e20-4d4a-8b7f-3a5c9e2d1f88"
        let s1 = "0e9a1f3c-2b4d-4e6f-8a0b-1c2d3e4f5a6b", s2 = "1f0b2a4d-3c5e-4f70-9b1c-2d3e4f5a6b7c"
        let note = try PackageSignature.sign(zip: zip, handoffId: h1, submissionId: s1, sequence: 2, recipientKeyId: "rk_1", with: signing)
        #expect(note.hasPrefix("handoff-vault package v2\n\(h1)\n\(s1)\n2\n"))
        #expect(note.contains("— handoff-generator/rk_1 "))
        let statement = try PackageSignature.verify(note, zip: zip, handoffId: h1, signingKey: signing.publicKey)
        #expect(statement.submissionId == s1 && statement.sequence == 2)
        #expect(throws: FormatError.self) { try PackageSignature.verify(note, zip: zip + [0], handoffId: h1, signingKey: signing.publicKey) }
        #expect(throws: FormatError.self) { try PackageSignature.verify(note, zip: zip, handoffId: h2, signingKey: signing.publicKey) }
        #expect(throws: FormatError.self) { try PackageSignature.verify(note, zip: zip, handoffId: h1, signingKey: try SigningKeyPair.generate().publicKey) }
        // The customer's rule: built from the latest receipted submission.
        try statement.checkBuilt(from: s1)
        #expect(throws: FormatError.self) { try statement.checkBuilt(from: s2) }
        // The store's rule: a replacement must come later than what it replaces.
        let first = try PackageSignature.sign(zip: zip, handoffId: h1, submissionId: s1, sequence: 1, recipientKeyId: "rk_1", with: signing)
        try statement.checkFollows(previous: first, signingKey: signing.publicKey)
        try statement.checkFollows(previous: nil, signingKey: signing.publicKey)
        #expect(throws: FormatError.self) { try statement.checkFollows(previous: note, signingKey: signing.publicKey) }
        let older = try PackageSignature.verify(first, zip: zip, handoffId: h1, signingKey: signing.publicKey)
        #expect(throws: FormatError.self) { try older.checkFollows(previous: note, signingKey: signing.publicKey) }
        // Version 1 (no submission, no sequence) is refused; a sequence of 0 cannot be signed.
        let v1 = try SignedNote.sign(
            "handoff-vault package v1\n\(h1)\n\(Base64.encode(try SHA256.hash(zip)))\n\(zip.count)\n", keyName: "handoff-generator/rk_1", with: signing
        )
        #expect(PackageSignature.isVersion1(v1))
        #expect(throws: FormatError.self) { try PackageSignature.verify(v1, zip: zip, handoffId: h1, signingKey: signing.publicKey) }
        #expect(throws: FormatError.self) { try PackageSignature.sign(zip: zip, handoffId: h1, submissionId: s1, sequence: 0, recipientKeyId: "rk_1", with: signing) }
    }

    @Test("Audit events are canonical JSON with a leaf hash of 0x00 ‖ bytes, and no absent ids")
    func auditEvent() throws {
        let event = AuditEvent(index: 3, time: "2026-11-26T12:00:00Z", action: .submissionReceived, outcome: .success,
                               actorRole: "customer", actorId: "tok_1", handoffId: "h", remote: "127.0.0.1", requestId: "r")
        #expect(String(decoding: event.canonicalBytes, as: UTF8.self)
            == #"{"action":"submission.received","actor":{"id":"tok_1","role":"customer"},"handoffId":"h","index":3,"outcome":"success","remote":"127.0.0.1","requestId":"r","time":"2026-11-26T12:00:00Z"}"#)
        #expect(try AuditEvent.leafHash(event.canonicalBytes) == (try SHA256.hash([0] + event.canonicalBytes)))
    }

    @Test("Durations and timestamps")
    func durations() {
        #expect(Timestamp.duration("14d") == TimeInterval(1_209_600))
        #expect(Timestamp.duration("90m") == TimeInterval(5_400))
        for bad in ["0d", "366d", "14", "d", "-1h", "1s", "1.5h"] { #expect(Timestamp.duration(bad) == nil, "\(bad)") }
        #expect(Timestamp.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        // The arithmetic form agrees with Foundation's calendar across leap years, centuries and
        // the far past and future.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for seconds in stride(from: Int64(-5_000_000_000), through: 10_000_000_000, by: 7_777_777) + [951_782_399, 951_782_400, 4_107_542_400, -1] {
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            #expect(Timestamp.string(secondsSince1970: seconds) == expected, "\(seconds)")
        }
    }
}

/// Python's output for a script, trimmed.
enum TestSupportPython {
    static func run(_ script: String, _ arguments: String...) async throws -> String {
        try await ProcessRunner.python(["-c", script] + arguments).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
