import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto
@testable import VaultStore

/// The read caches (principals, handoff views) never outlive what they cache.
@Suite("Read caches")
struct ReadCacheTests {
    @Test("Principals (cached on SQLite) stop at once on revocation, and at the token's or invite's expiry", arguments: Backend.available)
    func principalCache(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let store = fixture.store
        let now = fixture.admin.now
        let issued = try await store.createToken(role: .auditor, name: "a", expiresIn: 120, context: fixture.admin)
        #expect(try await store.principal(for: issued.token, now: now)?.role == .auditor)
        #expect(try await store.principal(for: issued.token, now: now)?.role == .auditor, "served from the cache")
        #expect(try await store.principal(for: issued.token, now: now.addingTimeInterval(121)) == nil, "the cache honours the token's expiry")
        #expect(try await store.principal(for: issued.token, now: now.addingTimeInterval(5)) != nil)
        try await store.revokeToken(id: issued.id, context: fixture.admin)
        #expect(try await store.principal(for: issued.token, now: now.addingTimeInterval(5)) == nil, "revocation empties the cache")

        let created = try await store.createHandoff(customer: "C", expiresIn: 60, context: fixture.admin)
        #expect(try await store.principal(for: created.token, now: now)?.handoffId == created.handoffId)
        #expect(try await store.principal(for: created.token, now: now.addingTimeInterval(61)) == nil, "an invite stops at its handoff's expiry")
        #expect(try await store.principal(for: created.token, now: now.addingTimeInterval(1)) != nil)
        try await store.revokeHandoff(id: created.handoffId, context: fixture.admin)
        #expect(try await store.principal(for: created.token, now: now.addingTimeInterval(1)) == nil)
    }

    @Test("A read that began before an invalidation is not remembered; entries expire")
    func generations() {
        let cache = ExpiringCache<Data, Principal>(ttl: 10)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let hash = Data([1, 2, 3])
        let principal = Principal(tokenId: "tok_1", role: .generator, handoffId: nil)
        let before = cache.lookup(hash, now: now)
        cache.invalidate()
        cache.remember(principal, for: hash, now: now, generation: before.generation)
        #expect(cache.lookup(hash, now: now).value == nil)
        cache.remember(principal, for: hash, now: now, limit: now.addingTimeInterval(5), generation: cache.lookup(hash, now: now).generation)
        #expect(cache.lookup(hash, now: now.addingTimeInterval(4)).value == principal)
        #expect(cache.lookup(hash, now: now.addingTimeInterval(5)).value == nil, "the entry's own limit")
        cache.remember(principal, for: hash, now: now, generation: cache.lookup(hash, now: now).generation)
        #expect(cache.lookup(hash, now: now.addingTimeInterval(9)).value == principal)
        #expect(cache.lookup(hash, now: now.addingTimeInterval(-1)).value == nil, "never before it was read")
        cache.remember(principal, for: hash, now: now, generation: cache.lookup(hash, now: now).generation)
        #expect(cache.lookup(hash, now: now.addingTimeInterval(10)).value == nil, "the TTL bounds an entry")
    }

    @Test("A handoff view is fresh after every write: a new receipt and a revocation show at once")
    func handoffViews() async throws {
        let fixture = try await VaultDatabaseTests.Fixture()
        let database = fixture.database
        let now = fixture.admin.now
        let created = try await database.createHandoff(customer: "C", expiresIn: 60, context: fixture.admin)
        #expect(try await database.handoff(id: created.handoffId, now: now).receipts.isEmpty)
        #expect(try await database.handoff(id: created.handoffId, now: now).state == .invited, "served from the cache")
        let document = try Data(contentsOf: TestPaths.valuesFixtures.appendingPathComponent("valid-minimal.json"))
        let sealed = try SealedPayload(handoffId: created.handoffId, sealedAt: "2026-11-26T12:00:00Z", values: try HandoffValues.validate(document: Array(document)))
            .seal(to: fixture.recipient.publicKey)
        _ = try await database.storeSubmission(handoffId: created.handoffId, sealed: sealed, recipientKeyId: fixture.recipient.publicKey.keyId,
                                               context: fixture.customer(created.handoffId))
        let after = try await database.handoff(id: created.handoffId, now: now)
        #expect(after.receipts.count == 1 && after.state == .submitted)
        #expect(try await database.handoff(id: created.handoffId, now: now.addingTimeInterval(1.5)).state == .submitted)
        #expect(try await database.handoff(id: created.handoffId, now: now.addingTimeInterval(61)).state == .expired, "expiry is derived per request")
        try await database.revokeHandoff(id: created.handoffId, context: fixture.admin)
        #expect(try await database.handoff(id: created.handoffId, now: now).state == .revoked)
    }
}
