import Foundation
import HandoffDomain
import Synchronization
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
        let missing = String(created.handoffId.dropLast()) + (created.handoffId.hasSuffix("0") ? "1" : "0")
        let refused = await #expect(throws: StoreError.self) { try await store.handoff(id: missing, now: now) }
        #expect(refused?.code == .notFound, "a handoff that does not exist is not found, and nothing is cached for it")
        #expect(try await store.handoff(id: created.handoffId, now: now).state == .invited)
        #expect(try await store.principal(for: created.token, now: now.addingTimeInterval(61)) == nil, "an invite stops at its handoff's expiry")
        #expect(try await store.principal(for: created.token, now: now.addingTimeInterval(1)) != nil)
        try await store.revokeHandoff(id: created.handoffId, context: fixture.admin)
        #expect(try await store.principal(for: created.token, now: now.addingTimeInterval(1)) == nil)
    }

    @Test("A read that began before an invalidation is not remembered; entries expire")
    func generations() async throws {
        let cache = ExpiringCache<Data, Principal>(ttl: 10)
        let now = Self.now
        let hash = Self.hash
        let principal = Principal(tokenId: "tok_1", role: .generator, handoffId: nil)
        let later = Principal(tokenId: "tok_2", role: .generator, handoffId: nil)
        _ = try await cache.value(for: hash, now: now) {
            cache.invalidate()
            return (value: principal, limit: nil)
        }
        #expect(cache.lookup(hash, now: now) == nil, "invalidated while it was read")
        _ = try await cache.value(for: hash, now: now) { (value: principal, limit: now.addingTimeInterval(5)) }
        #expect(cache.lookup(hash, now: now.addingTimeInterval(4)) == principal)
        #expect(cache.lookup(hash, now: now.addingTimeInterval(5)) == nil, "the entry's own limit")
        _ = try await cache.value(for: hash, now: now) { (value: principal, limit: nil) }
        #expect(cache.lookup(hash, now: now.addingTimeInterval(9)) == principal)
        #expect(cache.lookup(hash, now: now.addingTimeInterval(-1)) == nil, "never before it was read")
        #expect(cache.lookup(hash, now: now.addingTimeInterval(10)) == nil, "the TTL bounds an entry")
        _ = try await cache.value(for: hash, now: now.addingTimeInterval(1)) { (value: later, limit: nil) }
        #expect(try await cache.value(for: hash, now: now) { (value: principal, limit: nil) } == principal, "read for a caller before the entry")
        #expect(cache.lookup(hash, now: now.addingTimeInterval(2)) == later, "an earlier read does not replace a later one")
        #expect(cache.lookup(hash, now: now.addingTimeInterval(0.5)) == nil, "nor is the later one served before it was read")
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

    @Test("A burst of misses for one key is one read; the value is remembered for the callers after it")
    func burstOfMissesIsOneRead() async throws {
        let cache = ExpiringCache<Data, Principal>(ttl: 10)
        let reads = ReadCounter()
        defer { reads.open() }
        let entered = Tally()
        let callers = 16
        let results = try await withThrowingTaskGroup(of: Principal?.self) { group in
            for _ in 0..<callers {
                group.addTask {
                    entered.add()
                    return try await cache.value(for: Self.hash, now: Self.now) { try await reads.read() }
                }
            }
            // Every caller has asked (and, unless they joined the first read, started their own)
            // before the reads may end.
            try await Self.waitUntil { entered.value == callers }
            try await Task.sleep(for: .milliseconds(200))
            reads.open()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == callers && results.allSatisfy { $0?.tokenId == "tok_1" })
        #expect(reads.count == 1, "one read for \(callers) callers that missed at once")
        #expect(try await cache.value(for: Self.hash, now: Self.now) { try await reads.read() }?.tokenId == "tok_1", "remembered")
        #expect(reads.count == 1)
    }

    @Test("A read under way when the cache is invalidated is neither joined nor remembered")
    func invalidationDuringRead() async throws {
        let cache = ExpiringCache<Data, Principal>(ttl: 10)
        let reads = ReadCounter()
        defer { reads.open() }
        let first = Task { try await cache.value(for: Self.hash, now: Self.now) { try await reads.read() } }
        try await Self.waitUntil { reads.count == 1 }
        cache.invalidate()
        let second = Task { try await cache.value(for: Self.hash, now: Self.now) { try await reads.read() } }
        try await Self.waitUntil { reads.count == 2 }
        reads.open()
        #expect(try await first.value?.tokenId == "tok_1", "the caller that asked before the invalidation")
        #expect(try await second.value?.tokenId == "tok_2", "a caller after it read again")
        #expect(cache.lookup(Self.hash, now: Self.now)?.tokenId == "tok_2", "only the read after the invalidation is remembered")
    }

    @Test("A joined read is shared only while its value is valid at the caller's now, and never a failure")
    func joinedReadValidity() async throws {
        let cache = ExpiringCache<Data, Principal>(ttl: 10)
        let reads = ReadCounter(limit: Self.now.addingTimeInterval(5), failingFirst: false)
        defer { reads.open() }
        let first = Task { try await cache.value(for: Self.hash, now: Self.now) { try await reads.read() } }
        try await Self.waitUntil { reads.count == 1 }
        let past = Task { try await cache.value(for: Self.hash, now: Self.now.addingTimeInterval(6)) { try await reads.read() } }
        let earlier = Task { try await cache.value(for: Self.hash, now: Self.now.addingTimeInterval(-1)) { try await reads.read() } }
        // `earlier` reads on its own at once; `past` joins and, after the first read, reads too.
        try await Self.waitUntil { reads.count == 2 }
        try await Task.sleep(for: .milliseconds(100))
        reads.open()
        #expect(try await first.value?.tokenId == "tok_1")
        #expect(try await past.value?.tokenId != "tok_1", "the first read's value expired before this caller's now")
        #expect(try await earlier.value?.tokenId != "tok_1", "read after this caller's now: not joined")

        let failing = ReadCounter(limit: nil, failingFirst: true)
        defer { failing.open() }
        let leader = Task { try await cache.value(for: Data([9]), now: Self.now) { try await failing.read() } }
        try await Self.waitUntil { failing.count == 1 }
        let follower = Task { try await cache.value(for: Data([9]), now: Self.now) { try await failing.read() } }
        try await Task.sleep(for: .milliseconds(100))
        failing.open()
        await #expect(throws: StoreError.self) { try await leader.value }
        #expect(try await follower.value?.tokenId == "tok_2", "a failed read is not shared: the caller read again")
    }

    private static let now = Date(timeIntervalSince1970: 1_800_000_000)
    private static let hash = Data([1, 2, 3])

    /// Waits until `condition` holds; fails the test after 10 s instead of hanging it.
    private static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw StoreError(.storageFailure, "the reads never got where the test waits for them") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

/// A stand-in for the database behind a cache: counts the reads begun, holds each until opened,
/// and gives each its own principal (tok_1, tok_2, …) valid until `limit`.
private final class ReadCounter: Sendable {
    private struct State {
        var count = 0
        var open = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let limit: Date?
    private let failingFirst: Bool

    init(limit: Date? = nil, failingFirst: Bool = false) {
        self.limit = limit
        self.failingFirst = failingFirst
    }

    var count: Int { state.withLock { $0.count } }

    func read() async throws -> (value: Principal, limit: Date?)? {
        let number = state.withLock { state -> Int in
            state.count += 1
            return state.count
        }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        if failingFirst && number == 1 { throw StoreError(.storageFailure, "the database did not answer") }
        return (value: Principal(tokenId: "tok_\(number)", role: .generator, handoffId: nil), limit: limit)
    }

    func open() {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}

/// A count shared by concurrent tasks.
private final class Tally: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }

    func add() { count.withLock { $0 += 1 } }
}
