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
}

/// The store's rules against each backend (`Backend.available`): SQLite always, PostgreSQL when
/// make test runs one.
@Suite("Store rules")
struct StoreRuleTests {
    @Test("A stored box comes back byte for byte, and the storage holds only its ciphertext", arguments: Backend.available)
    func roundTrip(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let handoff = try await fixture.store.createHandoff(customer: "C", expiresIn: 86_400, context: fixture.admin)
        let sealed = Array("pretend-this-is-a-sealed-box-with-a-marker-MARKER1234".utf8)
        let stored = try await fixture.store.storeSubmission(
            handoffId: handoff.handoffId, sealed: sealed, recipientKeyId: fixture.recipient.publicKey.keyId, limit: 100, context: fixture.customer(handoff.handoffId)
        )
        let receipt = try Receipt.verify(stored.receipt, serverKey: fixture.keys.signing.publicKey, handoffId: handoff.handoffId, sealed: sealed)
        #expect(receipt.auditIndex == stored.auditIndex)
        let released = try await fixture.store.releaseLatest(handoffId: handoff.handoffId, auditRepeat: true, context: fixture.generator).released
        #expect(released.sealed == sealed)
        let ciphertexts = try await fixture.strings(
            sqlite: "SELECT hex(ciphertext) FROM submission", postgres: "SELECT encode(ciphertext, 'hex') FROM submission"
        )
        #expect(ciphertexts.count == 1)
        #expect(!ciphertexts[0].lowercased().contains(Hex.encode(Array("MARKER1234".utf8))), "only ciphertext is stored")
        if let database = fixture.store as? VaultDatabase {
            var raw = Data()
            for suffix in ["", "-wal"] { raw += (try? Data(contentsOf: URL(fileURLWithPath: database.path + suffix))) ?? Data() }
            #expect(raw.range(of: Data("MARKER1234".utf8)) == nil)
        }
    }

    @Test("A pinned tenant is kept with the handoff and shown to whoever may read it", arguments: Backend.available)
    func pinnedTenant(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let tenant = "096d3737-42f9-4039-8320-a4737c2b3abe"
        let pinned = try await fixture.store.createHandoff(customer: "P", expiresIn: 86_400, tenantId: tenant, context: fixture.admin)
        let open = try await fixture.store.createHandoff(customer: "O", expiresIn: 86_400, context: fixture.admin)
        #expect(try await fixture.store.handoff(id: pinned.handoffId, now: fixture.admin.now).tenantId == tenant)
        #expect(try await fixture.store.handoff(id: open.handoffId, now: fixture.admin.now).tenantId == nil)
        let listed = try await fixture.store.handoffs(state: nil, now: fixture.admin.now)
        #expect(listed.first { $0.id == pinned.handoffId }?.tenantId == tenant)
        let summary = try #require(listed.first { $0.id == pinned.handoffId })
        #expect(try HandoffSummary(json: summary.json) == summary, "the wire model carries it")
    }

    @Test("Ciphertext moved to another submission's row does not open", arguments: Backend.available)
    func movedCiphertext(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let a = try await fixture.store.createHandoff(customer: "A", expiresIn: 86_400, context: fixture.admin)
        let b = try await fixture.store.createHandoff(customer: "B", expiresIn: 86_400, context: fixture.admin)
        try await fixture.submit(a.handoffId, byte: 1)
        try await fixture.submit(b.handoffId, byte: 2)
        try await fixture.tamper(
            sqlite: """
                UPDATE submission SET ciphertext = (SELECT ciphertext FROM submission WHERE handoffId = '\(a.handoffId)'),
                                      wrappedKey = (SELECT wrappedKey FROM submission WHERE handoffId = '\(a.handoffId)')
                WHERE handoffId = '\(b.handoffId)'
                """,
            postgres: """
                UPDATE submission SET ciphertext = (SELECT ciphertext FROM submission WHERE handoff_id = '\(a.handoffId)'),
                                      wrapped_key = (SELECT wrapped_key FROM submission WHERE handoff_id = '\(a.handoffId)')
                WHERE handoff_id = '\(b.handoffId)'
                """
        )
        let error = await #expect(throws: StoreError.self) {
            try await fixture.store.releaseLatest(handoffId: b.handoffId, auditRepeat: true, context: fixture.generator).released
        }
        #expect(error?.code == .recordCorrupt)
    }

    @Test("Submissions must name the handoff's pinned key and a live handoff, at most the cap each", arguments: Backend.available)
    func submissionRules(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let handoff = try await fixture.store.createHandoff(customer: "C", expiresIn: 3_600, context: fixture.admin)
        let wrongKey = await #expect(throws: StoreError.self) {
            try await fixture.store.storeSubmission(
                handoffId: handoff.handoffId, sealed: Array(repeating: 1, count: 80), recipientKeyId: "rk_0000000000000000", limit: 100,
                context: fixture.customer(handoff.handoffId)
            )
        }
        #expect(wrongKey?.code == .recipientMismatch)
        try await fixture.submit(handoff.handoffId)
        try await fixture.submit(handoff.handoffId)
        let capped = await #expect(throws: StoreError.self) {
            try await fixture.store.storeSubmission(
                handoffId: handoff.handoffId, sealed: Array(repeating: 1, count: 80), recipientKeyId: fixture.recipient.publicKey.keyId, limit: 2,
                context: fixture.customer(handoff.handoffId)
            )
        }
        #expect(capped?.code == .limitReached)
        let unknown = await #expect(throws: StoreError.self) { try await fixture.submit(UUID().uuidString.lowercased()) }
        #expect(unknown?.code == .notFound)
        let later = fixture.admin.now.addingTimeInterval(3_601)
        let expired = await #expect(throws: StoreError.self) { try await fixture.submit(handoff.handoffId, at: later) }
        #expect(expired?.code == .conflict)
        #expect(try await fixture.store.handoff(id: handoff.handoffId, now: later).state == .expired)
        #expect(try await fixture.store.principal(for: handoff.token, now: fixture.admin.now)?.handoffId == handoff.handoffId)
        #expect(try await fixture.store.principal(for: handoff.token, now: later) == nil, "an expired invite no longer authenticates")
        try await fixture.store.revokeHandoff(id: handoff.handoffId, context: fixture.admin)
        #expect(try await fixture.store.principal(for: handoff.token, now: fixture.admin.now) == nil, "a revoked invite no longer authenticates")
        #expect(try await fixture.store.handoff(id: handoff.handoffId, now: fixture.admin.now).state == .revoked)
        let again = await #expect(throws: StoreError.self) { try await fixture.store.revokeHandoff(id: handoff.handoffId, context: fixture.admin) }
        #expect(again?.code == .notFound)
    }

    @Test("The handoff's life: release, repeat, acknowledge and their refusals", arguments: Backend.available)
    func lifeCycle(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let handoff = try await fixture.store.createHandoff(customer: "C", expiresIn: 86_400, context: fixture.admin)
        let id = handoff.handoffId
        let early = await #expect(throws: StoreError.self) { try await fixture.store.releaseLatest(handoffId: id, auditRepeat: true, context: fixture.generator) }
        #expect(early?.code == .conflict, "nothing to release before a submission")
        let notYet = await #expect(throws: StoreError.self) { try await fixture.store.acknowledge(handoffId: id, context: fixture.generator) }
        #expect(notYet?.code == .conflict, "nothing to acknowledge before a release")
        try await fixture.submit(id)
        #expect(try await fixture.store.handoff(id: id, now: fixture.admin.now).state == .submitted)
        #expect(try await fixture.store.releaseLatest(handoffId: id, auditRepeat: false, context: fixture.generator).audited)
        #expect(try await fixture.store.handoff(id: id, now: fixture.admin.now).state == .released)
        #expect(try await fixture.store.releaseLatest(handoffId: id, auditRepeat: false, context: fixture.generator).audited == false, "a repeat is counted, not audited")
        try await fixture.store.acknowledge(handoffId: id, context: fixture.generator)
        #expect(try await fixture.store.handoff(id: id, now: fixture.admin.now).state == .acknowledged)
        let twice = await #expect(throws: StoreError.self) { try await fixture.store.acknowledge(handoffId: id, context: fixture.generator) }
        #expect(twice?.code == .conflict)
        try await fixture.submit(id, byte: 7)
        #expect(try await fixture.store.handoff(id: id, now: fixture.admin.now).state == .submitted, "a new submission (Step 10's Object ID) starts over")
        #expect(try await fixture.store.releaseLatest(handoffId: id, auditRepeat: false, context: fixture.generator).released.sealed == Array(repeating: 7, count: 80))
        #expect(try await fixture.auditActions().filter { $0 == "submission.released" }.count == 2)
    }

    @Test("Revoking destroys the handoff's sealed data; every step is one canonical audit row", arguments: Backend.available)
    func revokeAndAudit(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let handoff = try await fixture.store.createHandoff(customer: "C", expiresIn: 86_400, context: fixture.admin)
        try await fixture.submit(handoff.handoffId, byte: 3)
        try await fixture.store.revokeHandoff(id: handoff.handoffId, context: fixture.admin)
        #expect(try await fixture.strings(sqlite: "SELECT id FROM submission", postgres: "SELECT id FROM submission").isEmpty)
        #expect(try await fixture.auditActions() == ["server.initialized", "recipient.set", "handoff.created", "submission.received", "handoff.revoked"])
        let events = try await fixture.store.auditEvents(from: 0, limit: 100)
        #expect(events.map(\.index) == Array(0..<5))
        for event in events {
            #expect(CanonicalJSON.encode(try JSONParser.parse(event.bytes)) == event.bytes, "stored events are canonical")
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
