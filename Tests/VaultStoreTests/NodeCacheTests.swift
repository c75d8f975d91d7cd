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

    /// Whether `condition` comes to hold, asked every 10 ms for up to 10 s. Generous on purpose:
    /// how fast a notification arrives is measured by the multinode test and the benchmarks, not
    /// here; here only a node whose caches last a minute can have forgotten by notification.
    private func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < .seconds(10) {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    @Test("A revocation and a submission through one node reach a listening node's caches by notification; a node that hears nothing forgets within its cache lifetime, and not before")
    func changesReachEveryNode() async throws {
        let fixture = try await StoreFixture(.postgres, now: Date())
        defer { fixture.opened.close() }
        // Caches that would otherwise keep an entry for a minute: only a notification can empty them.
        let (listening, listeningTask) = try await node(fixture, cacheLifetime: 60, listening: true)
        // Two nodes that hear nothing: one whose entries live 1 s, one whose entries live a minute
        // (it shows the caches do keep stale entries, so the other two could only have learnt).
        let (deaf, deafTask) = try await node(fixture, cacheLifetime: 1, listening: false)
        let (stale, staleTask) = try await node(fixture, cacheLifetime: 60, listening: false)
        let (writer, writerTask) = try await node(fixture, cacheLifetime: 60, listening: true)
        defer { listeningTask.cancel(); deafTask.cancel(); staleTask.cancel(); writerTask.cancel() }

        let token = try await writer.createToken(role: .auditor, name: "auditor", expiresIn: nil, context: fixture.admin)
        let handoff = try await writer.createHandoff(customer: "Contoso", expiresIn: 86_400, tenantId: nil, context: fixture.admin)
        for reader in [listening, deaf, stale] {
            #expect(try await reader.principal(for: token.token, now: Date())?.role == .auditor)
            #expect(try await reader.handoff(id: handoff.handoffId, now: Date()).state == .invited)
        }
        try await Task.sleep(for: .milliseconds(300))  // the listener has heard the creations

        _ = try await writer.storeSubmission(
            handoffId: handoff.handoffId, sealed: Array(repeating: 7, count: 80), recipientKeyId: fixture.recipient.publicKey.keyId, limit: 100,
            context: fixture.customer(handoff.handoffId, at: Date())
        )
        #expect(try await eventually { try await listening.handoff(id: handoff.handoffId, now: Date()).state == .submitted }, "the listening node saw the submission")
        try await writer.revokeToken(id: token.id, context: fixture.admin)
        #expect(try await writer.principal(for: token.token, now: Date()) == nil, "the writing node refuses at once")
        #expect(try await eventually { try await listening.principal(for: token.token, now: Date()) == nil }, "the listening node refuses the revoked token")

        // Past the 1 s lifetime of what the deaf node cached before the revocation: it asks the
        // database again and refuses; the node whose entries live a minute still answers from its cache.
        try await Task.sleep(for: .milliseconds(1_200))
        #expect(try await deaf.principal(for: token.token, now: Date()) == nil, "the node that hears nothing refuses once its entry outlived 1 s")
        #expect(try await stale.principal(for: token.token, now: Date())?.role == .auditor, "a minute-long cache that hears nothing is still stale")
        #expect(try await stale.handoff(id: handoff.handoffId, now: Date()).state == .invited)
    }
}
