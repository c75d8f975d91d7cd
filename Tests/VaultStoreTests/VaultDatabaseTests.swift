import Foundation
import GRDB
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto
@testable import VaultStore

/// The store against a real SQLite file in a temporary folder.
@Suite("Vault database")
struct VaultDatabaseTests {
    struct Fixture {
        let directory: URL
        let database: VaultDatabase
        let keys: ServerKeys
        let admin: OperationContext
        let recipient: SealingKeyPair

        init(now: Date = Date(timeIntervalSince1970: 1_800_000_000)) async throws {
            directory = try TestPaths.temporaryDirectory()
            database = try await DataDirectory(directory.path).initialize(
                environment: [:], keyName: "test", adminToken: try BearerToken.generate(for: .admin), now: now
            )
            keys = try database.keys()
            admin = OperationContext(principal: Principal(tokenId: "tok_admin", role: .admin, handoffId: nil), remote: "127.0.0.1", requestId: "r", now: now)
            recipient = try SealingKeyPair.generate()
            _ = try await database.setRecipientKey(recipient.publicKey, context: admin)
        }

        func customer(_ handoffId: String, at now: Date? = nil) -> OperationContext {
            OperationContext(principal: Principal(tokenId: "tok_c", role: .customer, handoffId: handoffId), remote: "127.0.0.1", requestId: "r", now: now ?? admin.now)
        }

        var generator: OperationContext {
            OperationContext(principal: Principal(tokenId: "tok_g", role: .generator, handoffId: nil), remote: "127.0.0.1", requestId: "r", now: admin.now)
        }
    }

    @Test("Keys open only with the master key they were made under; init happens once")
    func masterKey() async throws {
        let fixture = try await Fixture()
        let error = await #expect(throws: StoreError.self) { try await fixture.database.loadKeys(master: try MasterKey.generate()) }
        #expect(error?.code == .keysUnavailable)
        let reloaded = try await fixture.database.loadKeys(master: fixture.keys.master)
        #expect(reloaded.signing.publicKey == fixture.keys.signing.publicKey)
        let again = await #expect(throws: StoreError.self) {
            try await fixture.database.initialize(master: fixture.keys.master, keyName: "x", adminToken: try BearerToken.generate(for: .admin), now: Date())
        }
        #expect(again?.code == .alreadyInitialized)
    }

    @Test("A stored box comes back byte for byte, and the file holds only its ciphertext")
    func roundTrip() async throws {
        let fixture = try await Fixture()
        let handoff = try await fixture.database.createHandoff(customer: "C", expiresIn: 86_400, context: fixture.admin)
        let sealed = Array("pretend-this-is-a-sealed-box-with-a-marker-MARKER1234".utf8)
        let stored = try await fixture.database.storeSubmission(handoffId: handoff.handoffId, sealed: sealed, recipientKeyId: fixture.recipient.publicKey.keyId, context: fixture.customer(handoff.handoffId))
        let receipt = try Receipt.verify(stored.receipt, serverKey: fixture.keys.signing.publicKey, handoffId: handoff.handoffId, sealed: sealed)
        #expect(receipt.auditIndex == stored.auditIndex)
        let released = try await fixture.database.releaseLatest(handoffId: handoff.handoffId, auditRepeat: true, context: fixture.generator).released
        #expect(released.sealed == sealed)
        var raw = Data()
        for suffix in ["", "-wal"] { raw += (try? Data(contentsOf: URL(fileURLWithPath: fixture.database.path + suffix))) ?? Data() }
        #expect(raw.range(of: Data("MARKER1234".utf8)) == nil)
    }

    @Test("Ciphertext moved to another submission's row does not open")
    func movedCiphertext() async throws {
        let fixture = try await Fixture()
        let a = try await fixture.database.createHandoff(customer: "A", expiresIn: 86_400, context: fixture.admin)
        let b = try await fixture.database.createHandoff(customer: "B", expiresIn: 86_400, context: fixture.admin)
        let keyId = fixture.recipient.publicKey.keyId
        _ = try await fixture.database.storeSubmission(handoffId: a.handoffId, sealed: Array(repeating: 1, count: 80), recipientKeyId: keyId, context: fixture.customer(a.handoffId))
        _ = try await fixture.database.storeSubmission(handoffId: b.handoffId, sealed: Array(repeating: 2, count: 80), recipientKeyId: keyId, context: fixture.customer(b.handoffId))
        try await fixture.database.writer.write { db in
            try db.execute(sql: """
                UPDATE submission SET ciphertext = (SELECT ciphertext FROM submission WHERE handoffId = ?),
                                      wrappedKey = (SELECT wrappedKey FROM submission WHERE handoffId = ?)
                WHERE handoffId = ?
                """, arguments: [a.handoffId, a.handoffId, b.handoffId])
        }
        let error = await #expect(throws: StoreError.self) {
            try await fixture.database.releaseLatest(handoffId: b.handoffId, auditRepeat: true, context: fixture.generator).released
        }
        #expect(error?.code == .recordCorrupt)
    }

    @Test("Submissions must name the handoff's pinned key and a live handoff")
    func submissionRules() async throws {
        let fixture = try await Fixture()
        let handoff = try await fixture.database.createHandoff(customer: "C", expiresIn: 3_600, context: fixture.admin)
        let wrongKey = await #expect(throws: StoreError.self) {
            try await fixture.database.storeSubmission(handoffId: handoff.handoffId, sealed: Array(repeating: 1, count: 80), recipientKeyId: "rk_0000000000000000", context: fixture.customer(handoff.handoffId))
        }
        #expect(wrongKey?.code == .recipientMismatch)
        let later = fixture.admin.now.addingTimeInterval(3_601)
        let expired = await #expect(throws: StoreError.self) {
            try await fixture.database.storeSubmission(handoffId: handoff.handoffId, sealed: Array(repeating: 1, count: 80), recipientKeyId: fixture.recipient.publicKey.keyId, context: fixture.customer(handoff.handoffId, at: later))
        }
        #expect(expired?.code == .conflict)
        let hash = try fixture.keys.tokenHash(handoff.token)
        #expect(try await fixture.database.principal(forTokenHash: hash, now: fixture.admin.now)?.handoffId == handoff.handoffId)
        #expect(try await fixture.database.principal(forTokenHash: hash, now: later) == nil, "an expired invite no longer authenticates")
        try await fixture.database.revokeHandoff(id: handoff.handoffId, context: fixture.admin)
        #expect(try await fixture.database.principal(forTokenHash: hash, now: fixture.admin.now) == nil, "a revoked invite no longer authenticates")
        #expect(try await fixture.database.handoff(id: handoff.handoffId, now: fixture.admin.now).state == .revoked)
    }

    @Test("Revoking destroys the handoff's sealed data; every step is one audit row")
    func revokeAndAudit() async throws {
        let fixture = try await Fixture()
        let handoff = try await fixture.database.createHandoff(customer: "C", expiresIn: 86_400, context: fixture.admin)
        _ = try await fixture.database.storeSubmission(handoffId: handoff.handoffId, sealed: Array(repeating: 3, count: 80), recipientKeyId: fixture.recipient.publicKey.keyId, context: fixture.customer(handoff.handoffId))
        try await fixture.database.revokeHandoff(id: handoff.handoffId, context: fixture.admin)
        let (submissions, events) = try await fixture.database.writer.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM submission")!, try AuditLog.events(db, from: 0, limit: 100))
        }
        #expect(submissions == 0)
        let actions = events.map { String(decoding: $0.1, as: UTF8.self) }.compactMap { try? JSONParser.parse($0).objectValue?["action"]?.stringValue }
        #expect(actions == ["server.initialized", "recipient.set", "handoff.created", "submission.received", "handoff.revoked"])
        #expect(events.map(\.0) == Array(0..<5))
        for (_, bytes) in events {
            let parsed = try JSONParser.parse(Array(bytes))
            #expect(CanonicalJSON.encode(parsed) == Array(bytes), "stored events are canonical")
        }
    }
}

/// What someone holding the database file and the master key gets: sealed boxes only.
@Suite("Stolen database and master key")
struct StolenDatabaseTests {
    @Test("With the file and the master key an attacker gets the sealed box, which only the generator key opens")
    func sealedBoxOnly() async throws {
        let fixture = try await VaultDatabaseTests.Fixture()
        let handoff = try await fixture.database.createHandoff(customer: "C", expiresIn: 86_400, context: fixture.admin)
        let document = try Data(contentsOf: TestPaths.valuesFixtures.appendingPathComponent("valid-minimal.json"))
        let values = try HandoffValues.validate(document: Array(document))
        let sealed = try SealedPayload(handoffId: handoff.handoffId, sealedAt: "2026-11-26T12:00:00Z", values: values).seal(to: fixture.recipient.publicKey)
        _ = try await fixture.database.storeSubmission(handoffId: handoff.handoffId, sealed: sealed, recipientKeyId: fixture.recipient.publicKey.keyId, context: fixture.customer(handoff.handoffId))

        // The attacker opens a copy of the file with the stolen master key.
        let copy = fixture.directory.appendingPathComponent("stolen.sqlite")
        try fixture.database.writer.backup(to: try DatabaseQueue(path: copy.path))
        let stolen = try VaultDatabase(path: copy.path)
        stolen.useKeys(try await stolen.loadKeys(master: fixture.keys.master))
        let released = try await stolen.releaseLatest(handoffId: handoff.handoffId, auditRepeat: true, context: fixture.generator).released
        #expect(released.sealed == sealed)
        let refused = #expect(throws: FormatError.self) {
            try SealedPayload.open(released.sealed, with: try SealingKeyPair.generate(), expectedHandoffId: handoff.handoffId)
        }
        #expect(refused?.code == .payloadUnopenable)
        #expect(try SealedPayload.open(released.sealed, with: fixture.recipient, expectedHandoffId: handoff.handoffId).values == values)
    }
}
