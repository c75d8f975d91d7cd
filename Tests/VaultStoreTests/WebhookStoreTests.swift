import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto
import VaultStore

/// Webhook endpoints on each backend: one node at a time holds an endpoint, attempts move it on
/// by the same rule, and the delivery log shows each.
@Suite("Webhook endpoints")
struct WebhookStoreTests {
    @Test("Claim, fail, back off, deliver, pass over, 410; one holder at a time; audited", arguments: Backend.available)
    func lifecycle(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let store = fixture.store
        let now = fixture.admin.now
        let early = try await store.createHandoff(customer: "Before", expiresIn: 86_400, context: fixture.admin)
        try await fixture.submit(early.handoffId)
        let endpoint = try await store.addWebhook(url: "https://hooks.example/h", events: [.submitted], context: fixture.admin)
        #expect(WebhookEndpoint.isId(endpoint.id) && endpoint.state == .enabled && endpoint.events == [.submitted])
        #expect(endpoint.cursor == (try await store.latestEventId()), "a new endpoint starts after the events that came before it")
        #expect(try await store.claimDueWebhooks(now: now).isEmpty, "nothing to send yet")

        let handoff = try await store.createHandoff(customer: "Contoso", expiresIn: 86_400, context: fixture.admin)
        let receipt = try await fixture.submit(handoff.handoffId)
        let claimed = try await store.claimDueWebhooks(now: now)
        #expect(claimed.map(\.id) == [endpoint.id])
        #expect(try await store.claimDueWebhooks(now: now).isEmpty, "held: no second node takes it")

        // A failure: the same event again after 1 s × jitter.
        let failed = WebhookAttempt(.failed("HTTP 503"), status: 503, milliseconds: 12)
        try await store.recordWebhookAttempt(id: endpoint.id, eventId: receipt.auditIndex, attempt: failed, now: now, jitter: 1.0)
        var listed = try #require(try await store.webhooks().first)
        #expect(listed.failures == 1 && listed.nextAttemptAt == now.addingTimeInterval(1) && listed.cursor == endpoint.cursor)
        #expect(try await store.claimDueWebhooks(now: now.addingTimeInterval(0.5)).isEmpty, "not before its next attempt")
        #expect(try await store.claimDueWebhooks(now: now.addingTimeInterval(1)).count == 1)
        try await store.recordWebhookAttempt(
            id: endpoint.id, eventId: receipt.auditIndex, attempt: WebhookAttempt(.delivered, status: 204, milliseconds: 8), now: now.addingTimeInterval(1), jitter: 1.0
        )
        listed = try #require(try await store.webhooks().first)
        #expect(listed.failures == 0 && listed.nextAttemptAt == nil && listed.cursor == receipt.auditIndex)

        // An event it does not want is passed over; then 410 disables it.
        _ = try await store.releaseLatest(handoffId: handoff.handoffId, auditRepeat: true, context: fixture.generator)
        let released = try await store.latestEventId()
        try await store.passOverWebhookEvents(id: endpoint.id, through: released)
        #expect(try await store.webhooks().first?.cursor == released)
        let second = try await fixture.submit(handoff.handoffId)
        _ = try await store.claimDueWebhooks(now: now.addingTimeInterval(2))
        try await store.recordWebhookAttempt(
            id: endpoint.id, eventId: second.auditIndex, attempt: WebhookAttempt(.gone, status: 410, milliseconds: 5), now: now.addingTimeInterval(2), jitter: 1.0
        )
        listed = try #require(try await store.webhooks().first)
        #expect(listed.state == .disabled && listed.disabledReason?.contains("410") == true)
        #expect(try await store.claimDueWebhooks(now: now.addingTimeInterval(60)).isEmpty, "a disabled endpoint is sent nothing")

        let log = try await store.webhookDeliveries(id: endpoint.id, limit: 10)
        #expect(log.map(\.status) == [410, 204, 503] && log.map(\.attempt) == [1, 2, 1])
        #expect(log.last?.outcome == "failed: HTTP 503")
        try await store.removeWebhook(id: endpoint.id, context: fixture.admin)
        #expect(try await store.webhooks().isEmpty)
        await #expect(throws: StoreError.self) { try await store.webhookDeliveries(id: endpoint.id, limit: 10) }
        let actions = try await fixture.auditActions()
        #expect(actions.filter { $0.hasPrefix("webhook.") } == ["webhook.added", "webhook.removed"])
    }

    @Test("24 hours of failures disable an endpoint; waits double to at most 10 minutes")
    func givesUp() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var record = WebhookRecord(id: "wh_0123456789abcdef", url: "https://h.example", events: "", createdAt: start, cursor: 0)
        var waits: [TimeInterval] = []
        var now = start
        while record.disabledAt == nil {
            record = WebhookRule.after(record, eventId: 1, attempt: WebhookAttempt(.failed("timeout"), status: nil, milliseconds: 5000), now: now, jitter: 1.0)
            if let next = record.nextAttemptAt, record.disabledAt == nil {
                waits.append(next.timeIntervalSince(now))
                now = next
            }
        }
        #expect(Array(waits.prefix(5)) == [1, 2, 4, 8, 16])
        #expect(waits.max() == WebhookRule.longestWait)
        #expect(now.timeIntervalSince(start) >= WebhookRule.retryFor && now.timeIntervalSince(start) < WebhookRule.retryFor + WebhookRule.longestWait)
        #expect(record.disabledReason == "event 1 could not be delivered for 24 hours")
    }
}
