import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto
import VaultStore

/// Retention with a clock the test moves, on each backend.
@Suite("Retention")
struct RetentionTests {
    @Test("A purge larger than one batch goes in several transactions and misses none; live handoffs stay", arguments: Backend.available)
    func purgeInBatches(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let store = fixture.store
        var expiring: Set<String> = []
        for number in 0..<(2 * StoreFormat.purgeBatch + 50) {
            expiring.insert(try await store.createHandoff(customer: "Expiring \(number)", expiresIn: 3_600, context: fixture.admin).handoffId)
        }
        let kept = try await store.createHandoff(customer: "Kept", expiresIn: 86_400, context: fixture.admin).handoffId
        let events = try await store.auditSize()
        // A pause between batches, as the offline command leaves one for the serving node.
        let clock = ContinuousClock()
        let started = clock.now
        let report = try await store.purge(now: fixture.admin.now.addingTimeInterval(7_200), policy: RetentionPolicy(pauseBetweenBatches: .milliseconds(150)))
        let purged = report.purged
        #expect(Set(purged) == expiring && purged.count == expiring.count)
        #expect(report.batches == 3, "\(expiring.count) handoffs in batches of \(StoreFormat.purgeBatch)")
        #expect(report.longestBatch > .zero && report.longestBatch < clock.now - started, "each batch's hold is measured, within the purge's time")
        #expect(clock.now - started >= .milliseconds(300), "two pauses of 150 ms between three batches")
        #expect(try await store.auditSize() == events + Int64(expiring.count), "one audit event per purged handoff")
        #expect(try await store.handoff(id: kept, now: fixture.admin.now.addingTimeInterval(7_200)).state == .invited)
        #expect(try await store.purge(now: fixture.admin.now.addingTimeInterval(7_200), policy: RetentionPolicy()).purged.isEmpty)
    }

    @Test("Acknowledged data goes after the retention period, expired and revoked at once; each purge is audited", arguments: Backend.available)
    func purge(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let store = fixture.store
        let start = fixture.admin.now
        let acknowledged = try await store.createHandoff(customer: "Acked", expiresIn: 14 * 86_400, context: fixture.admin)
        let expiring = try await store.createHandoff(customer: "Expiring", expiresIn: 86_400, context: fixture.admin)
        let revoked = try await store.createHandoff(customer: "Revoked", expiresIn: 14 * 86_400, context: fixture.admin)
        let kept = try await store.createHandoff(customer: "Kept", expiresIn: 60 * 86_400, context: fixture.admin)
        for handoff in [acknowledged, expiring, revoked, kept] { try await fixture.submit(handoff.handoffId, byte: 9) }
        _ = try await store.releaseLatest(handoffId: acknowledged.handoffId, auditRepeat: true, context: fixture.generator)
        try await store.acknowledge(handoffId: acknowledged.handoffId, context: fixture.generator)
        try await store.revokeHandoff(id: revoked.handoffId, context: fixture.admin)
        let policy = RetentionPolicy(afterAcknowledgement: 30 * 86_400)

        // Day 0: only the revoked one goes.
        #expect(try await store.purge(now: start, policy: policy).purged == [revoked.handoffId])
        // Day 2: the one-day invite has expired.
        #expect(try await store.purge(now: start.addingTimeInterval(2 * 86_400), policy: policy).purged == [expiring.handoffId])
        // Day 29: nothing new. Day 31: the acknowledged one's period is over.
        #expect(try await store.purge(now: start.addingTimeInterval(29 * 86_400), policy: policy).purged.isEmpty)
        #expect(try await store.purge(now: start.addingTimeInterval(31 * 86_400), policy: policy).purged == [acknowledged.handoffId])
        #expect(try await store.purge(now: start.addingTimeInterval(32 * 86_400), policy: policy).purged.isEmpty, "a purged handoff is not purged again")

        let rows = try await fixture.strings(sqlite: "SELECT handoffId FROM submission", postgres: "SELECT handoff_id FROM submission")
        #expect(rows == [kept.handoffId], "only the live handoff keeps sealed data")
        let liveInvites = try await fixture.strings(
            sqlite: "SELECT handoffId FROM token WHERE handoffId IS NOT NULL AND revokedAt IS NULL",
            postgres: "SELECT handoff_id FROM token WHERE handoff_id IS NOT NULL AND revoked_at IS NULL"
        )
        #expect(liveInvites == [kept.handoffId], "revoking and purging revoke the handoff's invite")
        let states = try await fixture.strings(sqlite: "SELECT state FROM handoff ORDER BY customer", postgres: "SELECT state FROM handoff ORDER BY customer")
        #expect(states == ["purged", "purged", "submitted", "purged"])
        #expect(try await fixture.auditActions().filter { $0 == "handoff.purged" }.count == 3)
        #expect(try await store.principal(for: expiring.token, now: start) == nil, "a purged handoff's invite no longer works")
        #expect(try await store.principal(for: kept.token, now: start) != nil)
        let released = await #expect(throws: StoreError.self) {
            try await store.releaseLatest(handoffId: acknowledged.handoffId, auditRepeat: true, context: fixture.generator).released
        }
        #expect(released?.code == .conflict)
    }
}

@Suite("Handoff view")
struct HandoffViewTests {
    @Test("A handoff view carries the latest 20 receipts, oldest of them first", arguments: Backend.available)
    func receiptsAreBounded(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let handoff = try await fixture.store.createHandoff(customer: "Loop", expiresIn: 86_400, context: fixture.admin)
        var stored: [SubmissionReceipt] = []
        for _ in 0..<25 { stored.append(try await fixture.submit(handoff.handoffId, byte: 4)) }
        let view = try await fixture.store.handoff(id: handoff.handoffId, now: fixture.admin.now)
        #expect(view.receipts.count == StoreFormat.receiptsShown)
        #expect(view.receipts == stored.suffix(StoreFormat.receiptsShown).map(\.receipt))
        let listed = try await fixture.store.handoffs(state: .submitted, now: fixture.admin.now)
        #expect(listed.map(\.id) == [handoff.handoffId])
        #expect(try await fixture.store.handoffs(state: .invited, now: fixture.admin.now).isEmpty)
    }
}
