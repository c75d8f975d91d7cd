import Foundation
import HandoffDomain
import PostgresNIO
import TestSupport
import Testing
import VaultCrypto
@testable import VaultPostgres
@testable import VaultStore

/// PostgreSQL nodes cache principals and handoff views; a change through one node reaches every
/// other node's caches by notification, and a node that hears nothing still forgets within its
/// cache lifetime.
@Suite("Node caches (PostgreSQL)", .enabled(if: Backend.available.contains(.postgres)))
struct NodeCacheTests {
    /// A second node on the fixture's database: the pool and, when `listening`, the change
    /// listener, running until the returned task is cancelled.
    private func node(_ fixture: StoreFixture, cacheLifetime: TimeInterval, listening: Bool) async throws -> (PostgresStore, Task<Void, Never>) {
        let node = try PostgresStore(url: try #require(fixture.opened.databaseURL), maximumConnections: 4, cacheLifetime: cacheLifetime)
        let running = Task { if listening { await node.run() } else { await node.client.run() } }
        try await node.waitUntilReachable(timeout: .seconds(60))
        node.useKeys(fixture.keys)
        return (node, running)
    }

    /// How long until `condition` holds, asked every 10 ms (nil when it did not within 5 s).
    private func timeUntil(_ condition: () async throws -> Bool) async throws -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < .seconds(5) {
            if try await condition() { return clock.now - start }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    @Test("A revocation and a submission through one node reach another node's caches within 1 s: by notification, or by the cache lifetime when none is heard")
    func changesReachEveryNode() async throws {
        let fixture = try await StoreFixture(.postgres, now: Date())
        defer { fixture.opened.close() }
        // Caches that would otherwise keep an entry for a minute: only a notification can empty them.
        let (listening, listeningTask) = try await node(fixture, cacheLifetime: 60, listening: true)
        let (deaf, deafTask) = try await node(fixture, cacheLifetime: 1, listening: false)
        let (writer, writerTask) = try await node(fixture, cacheLifetime: 60, listening: true)
        defer { listeningTask.cancel(); deafTask.cancel(); writerTask.cancel() }

        let token = try await writer.createToken(role: .auditor, name: "auditor", expiresIn: nil, context: fixture.admin)
        let handoff = try await writer.createHandoff(customer: "Contoso", expiresIn: 86_400, tenantId: nil, context: fixture.admin)
        for reader in [listening, deaf] {
            #expect(try await reader.principal(for: token.token, now: Date())?.role == .auditor)
            #expect(try await reader.handoff(id: handoff.handoffId, now: Date()).state == .invited)
        }
        try await Task.sleep(for: .milliseconds(300))  // the listener has heard the creations

        _ = try await writer.storeSubmission(
            handoffId: handoff.handoffId, sealed: Array(repeating: 7, count: 80), recipientKeyId: fixture.recipient.publicKey.keyId, limit: 100,
            context: fixture.customer(handoff.handoffId, at: Date())
        )
        let submissionSeen = try await timeUntil { try await listening.handoff(id: handoff.handoffId, now: Date()).state == .submitted }
        try await writer.revokeToken(id: token.id, context: fixture.admin)
        let revocationSeen = try await timeUntil { try await listening.principal(for: token.token, now: Date()) == nil }
        let revocationSeenUnheard = try await timeUntil { try await deaf.principal(for: token.token, now: Date()) == nil }

        #expect(try #require(submissionSeen) < .seconds(1), "submission seen by the listening node after \(submissionSeen!)")
        #expect(try #require(revocationSeen) < .seconds(1), "revocation refused by the listening node after \(revocationSeen!)")
        #expect(try #require(revocationSeenUnheard) < .milliseconds(1_100), "revocation refused by the node that hears nothing after \(revocationSeenUnheard!)")
        #expect(try await writer.principal(for: token.token, now: Date()) == nil, "the writing node at once")
    }
}
