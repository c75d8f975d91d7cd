import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto
import VaultStore

/// The events outbox on each backend: one event per committed change, in the change's
/// transaction, none for a refused or rolled-back one.
@Suite("Events outbox")
struct OutboxTests {
    @Test("Each change writes its event, at its audit index; refusals, repeats and creations write none", arguments: Backend.available)
    func oneEventPerChange(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let store = fixture.store
        #expect(try await store.latestEventId() == -1)
        let handoff = try await store.createHandoff(customer: "Contoso", expiresIn: 86_400, context: fixture.admin)
        let id = handoff.handoffId
        let receipt = try await fixture.submit(id)
        // Refused: sealed to a key that is not the registered one (the whole operation rolls back).
        await #expect(throws: StoreError.self) {
            try await store.storeSubmission(handoffId: id, sealed: [1, 2, 3], recipientKeyId: "someone-else", limit: 100, context: fixture.customer(id))
        }
        _ = try await store.releaseLatest(handoffId: id, auditRepeat: true, context: fixture.generator)
        let repeated = try await store.releaseLatest(handoffId: id, auditRepeat: false, context: fixture.generator)
        #expect(!repeated.audited)
        try await store.acknowledge(handoffId: id, context: fixture.generator)
        let other = try await store.createHandoff(customer: "Fabrikam", expiresIn: 86_400, context: fixture.admin)
        try await store.revokeHandoff(id: other.handoffId, context: fixture.admin)

        let events = try await store.events(after: -1, limit: 100)
        #expect(events.map(\.kind) == [.submitted, .released, .acknowledged, .revoked])
        #expect(events.map(\.handoffId) == [id, id, id, other.handoffId])
        #expect(events.first?.id == receipt.auditIndex, "an event's id is the audit index of its change")
        #expect(events.allSatisfy { $0.at == fixture.admin.now })
        #expect(try await store.latestEventId() == events.last?.id)
        let actions = try await fixture.auditActions()
        #expect(events.map { actions[Int($0.id)] } == ["submission.received", "submission.released", "handoff.acknowledged", "handoff.revoked"])
        #expect(try await store.events(after: events[1].id, limit: 1).map(\.kind) == [.acknowledged], "reading resumes after an id")
    }

    @Test("Purging an invite that ran out announces handoff.expired; other purges announce nothing new", arguments: Backend.available)
    func expiryIsAnnounced(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let store = fixture.store
        let expiring = try await store.createHandoff(customer: "Expiring", expiresIn: 3_600, context: fixture.admin)
        let revoked = try await store.createHandoff(customer: "Revoked", expiresIn: 86_400, context: fixture.admin)
        try await store.revokeHandoff(id: revoked.handoffId, context: fixture.admin)
        let later = fixture.admin.now.addingTimeInterval(7_200)
        let purged = try await store.purge(now: later, policy: RetentionPolicy()).purged
        #expect(Set(purged) == [expiring.handoffId, revoked.handoffId])
        let events = try await store.events(after: -1, limit: 100)
        #expect(events.map(\.kind) == [.revoked, .expired])
        #expect(events.last?.handoffId == expiring.handoffId)
        #expect(events.last?.at == later)
    }
}
