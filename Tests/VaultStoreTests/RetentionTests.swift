import Foundation
import GRDB
import HandoffDomain
import Testing
import VaultCrypto
@testable import VaultStore

/// Retention with a clock the test moves.
@Suite("Retention")
struct RetentionTests {
    @Test("Acknowledged data goes after the retention period, expired and revoked at once; each purge is audited")
    func purge() async throws {
        let fixture = try await VaultDatabaseTests.Fixture()
        let start = fixture.admin.now
        let keyId = fixture.recipient.publicKey.keyId
        let acknowledged = try await fixture.database.createHandoff(customer: "Acked", expiresIn: 14 * 86_400, context: fixture.admin)
        let expiring = try await fixture.database.createHandoff(customer: "Expiring", expiresIn: 86_400, context: fixture.admin)
        let revoked = try await fixture.database.createHandoff(customer: "Revoked", expiresIn: 14 * 86_400, context: fixture.admin)
        let kept = try await fixture.database.createHandoff(customer: "Kept", expiresIn: 60 * 86_400, context: fixture.admin)
        for handoff in [acknowledged, expiring, revoked, kept] {
            _ = try await fixture.database.storeSubmission(handoffId: handoff.handoffId, sealed: Array(repeating: 9, count: 80), recipientKeyId: keyId, context: fixture.customer(handoff.handoffId))
        }
        _ = try await fixture.database.releaseLatest(handoffId: acknowledged.handoffId, auditRepeat: true, context: fixture.generator).released
        try await fixture.database.acknowledge(handoffId: acknowledged.handoffId, context: fixture.generator)
        try await fixture.database.revokeHandoff(id: revoked.handoffId, context: fixture.admin)
        let policy = RetentionPolicy(afterAcknowledgement: 30 * 86_400)

        // Day 0: only the revoked one goes.
        #expect(try await fixture.database.purge(now: start, policy: policy) == [revoked.handoffId])
        // Day 2: the one-day invite has expired.
        #expect(try await fixture.database.purge(now: start.addingTimeInterval(2 * 86_400), policy: policy) == [expiring.handoffId])
        // Day 29: nothing new. Day 31: the acknowledged one's period is over.
        #expect(try await fixture.database.purge(now: start.addingTimeInterval(29 * 86_400), policy: policy).isEmpty)
        #expect(try await fixture.database.purge(now: start.addingTimeInterval(31 * 86_400), policy: policy) == [acknowledged.handoffId])

        let (rows, states, purgeEvents) = try await fixture.database.writer.read { db in
            (try String.fetchAll(db, sql: "SELECT handoffId FROM submission"),
             try String.fetchAll(db, sql: "SELECT state FROM handoff ORDER BY customer"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auditEvent WHERE CAST(event AS TEXT) LIKE '%handoff.purged%'")!)
        }
        #expect(rows == [kept.handoffId], "only the live handoff keeps sealed data")
        #expect(states == ["purged", "purged", "submitted", "purged"])
        #expect(purgeEvents == 3)
        let invite = try fixture.keys.tokenHash(expiring.token)
        #expect(try await fixture.database.principal(forTokenHash: invite, now: start) == nil, "a purged handoff's invite no longer works")
        let released = await #expect(throws: StoreError.self) {
            try await fixture.database.releaseLatest(handoffId: acknowledged.handoffId, auditRepeat: true, context: fixture.generator).released
        }
        #expect(released?.code == .conflict)
    }
}

@Suite("Handoff view")
struct HandoffViewTests {
    @Test("A handoff view carries the latest 20 receipts, oldest of them first")
    func receiptsAreBounded() async throws {
        let fixture = try await VaultDatabaseTests.Fixture()
        let handoff = try await fixture.database.createHandoff(customer: "Loop", expiresIn: 86_400, context: fixture.admin)
        var stored: [SubmissionReceipt] = []
        for _ in 0..<25 {
            stored.append(try await fixture.database.storeSubmission(
                handoffId: handoff.handoffId, sealed: Array(repeating: 4, count: 80), recipientKeyId: fixture.recipient.publicKey.keyId,
                context: fixture.customer(handoff.handoffId)
            ))
        }
        let view = try await fixture.database.handoff(id: handoff.handoffId, now: fixture.admin.now)
        #expect(view.receipts.count == StoreFormat.receiptsShown)
        #expect(view.receipts == stored.suffix(StoreFormat.receiptsShown).map(\.receipt))
    }
}
