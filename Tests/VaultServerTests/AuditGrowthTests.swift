import Foundation
import HTTPTypes
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto
@testable import VaultServer
import VaultStore

/// DESIGN.md's threat model: no one credential grows the audit log by an event per request. Every
/// authenticated GET, 200 times by each credential it admits; the reads that are audited (a
/// release, a package fetch) are audited once per window and counted, the others not at all.
@Suite("Audit growth per credential (in-process)")
struct AuditGrowthTests {
    /// The smallest byte string with a zip's outer shape (an empty local header and an end record):
    /// the server checks shape and signature, not contents.
    static let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 26) + [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)

    @Test("200 calls of every authenticated GET by every credential add a bounded number of events, with every read counted",
          arguments: Backend.available)
    func boundedGrowth(backend: Backend) async throws {
        let vault = try await InProcessVault(backend: backend)
        try await vault.test { client in
            let invite = try await client.invite(admin: vault.adminToken)
            let customer = invite.token.withText { $0 }
            let generator = try await client.token(admin: vault.adminToken, role: .generator).token.withText { $0 }
            let auditor = try await client.token(admin: vault.adminToken, role: .auditor).token.withText { $0 }
            let h = invite.handoffId
            let receipt = try SubmissionReceipt(json: try await client.send(.post, "/v1/handoffs/\(h)/submissions", token: customer,
                                                                              json: try InProcessVault.submission(for: invite)).json())
            #expect(try await client.send(.get, "/v1/handoffs/\(h)/submissions/latest", token: generator).status == 200)
            let signature = try PackageSignature.sign(
                zip: Self.zip, handoffId: h, submissionId: receipt.submissionId, sequence: 1, recipientKeyId: invite.recipientKey.keyId, with: vault.generatorSigning
            )
            let delivered = try await client.send(.put, "/v1/handoffs/\(h)/package", token: generator,
                                                  json: ["package": .string(Base64.encode(Self.zip)), "signature": .string(signature)])
            #expect(delivered.status == 200, "\(delivered.status) \(delivered.problemCode ?? "")")
            let before = try await vault.store.auditSize()

            let reads: [(String, [String])] = [
                ("/v1/handoffs", [vault.adminToken, generator]),
                ("/v1/handoffs/\(h)", [vault.adminToken, generator, customer]),
                ("/v1/handoffs/\(h)/submissions/latest", [generator]),
                ("/v1/handoffs/\(h)/package", [vault.adminToken, generator, customer]),
                ("/v1/tokens", [vault.adminToken]),
                ("/v1/audit/events?after=0&limit=5", [vault.adminToken, auditor]),
                ("/v1/audit/checkpoint", [vault.adminToken, auditor, customer]),
                ("/v1/audit/proof/inclusion?index=0&size=1", [vault.adminToken, auditor]),
                ("/v1/audit/proof/consistency?from=1&to=2", [vault.adminToken, auditor]),
            ]
            var calls = 0
            for (path, tokens) in reads {
                for token in tokens {
                    for _ in 0..<200 {
                        let answer = try await client.send(.get, path, token: token)
                        #expect(answer.status == 200, "\(path): \(answer.status) \(answer.problemCode ?? "")")
                        calls += 1
                    }
                }
            }
            let immediate = try await vault.store.auditSize() - before
            // One release (the generator, already released once above: a repeat opens one window)
            // and three package fetchers: one event each at most before the windows close.
            #expect(immediate <= 4, "\(calls) reads wrote \(immediate) events at once")

            // The windows close: the repeats become one event per credential and read, with counts.
            let tallies = vault.api.repeatedReads.drainClosed(now: nil)
            try await vault.store.recordTallies(tallies, now: Date())
            let after = try await vault.store.auditSize()
            #expect(after - before <= 8, "\(calls) reads grew the log by \(after - before) events")
            let events = try await vault.store.auditEvents(from: before, limit: 100)
            var counted: [String: Int64] = [:]
            for event in events {
                let object = try #require(try JSONParser.parse(event.bytes).objectValue)
                let action = try #require(object["action"]?.stringValue)
                counted[action, default: 0] += object["count"]?.integerValue ?? 1
            }
            #expect(counted["submission.released"] == 200, "every release is on the log: \(counted)")
            #expect(counted["package.fetched"] == 600, "every fetch is on the log: \(counted)")
        }
    }
}
