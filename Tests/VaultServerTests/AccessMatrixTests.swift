import Foundation
import HTTPTypes
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto
@testable import VaultServer
import VaultStore

/// Every role against every endpoint, in-process: who gets through, who gets 401, 403 or 404,
/// and that every refusal is a problem document counted by the refusal limiter.
@Suite("Roles × endpoints (in-process)")
struct AccessMatrixTests {
    enum Caller: String, CaseIterable {
        case anonymous, customerOwn, customerOther, generator, auditor, admin
    }

    struct Endpoint {
        let name: String
        let method: HTTPRequest.Method
        let path: String
        /// A fresh body per call (submissions need a new box each time).
        let body: () throws -> JSONValue?
        /// The status each caller must get.
        let expected: [Caller: Int]
    }

    @Test("Each role reaches exactly its endpoints; refusals are 401, 403 or 404 problem documents, each counted",
          arguments: Backend.available)
    func table(backend: Backend) async throws {
        let vault = try await InProcessVault(backend: backend)
        try await vault.test { client in
            let own = try await client.invite(admin: vault.adminToken, customer: "Own")
            let other = try await client.invite(admin: vault.adminToken, customer: "Other")
            let doomed = try await client.invite(admin: vault.adminToken, customer: "Doomed")
            let spare = try await client.token(admin: vault.adminToken, role: .auditor)
            let tokens: [Caller: String] = [
                .customerOwn: own.token.withText { $0 }, .customerOther: other.token.withText { $0 },
                .generator: try await client.token(admin: vault.adminToken, role: .generator).token.withText { $0 },
                .auditor: try await client.token(admin: vault.adminToken, role: .auditor).token.withText { $0 },
                .admin: vault.adminToken,
            ]
            let publicKey = Base64.encode(vault.generator.publicKey.bytes)

            func only(_ allowed: [Caller: Int], otherCustomer: Int = 403, ownCustomer: Int = 403) -> [Caller: Int] {
                var result: [Caller: Int] = [.anonymous: 401, .customerOwn: ownCustomer, .customerOther: otherCustomer, .generator: 403, .auditor: 403, .admin: 403]
                for (caller, status) in allowed { result[caller] = status }
                return result
            }
            let h = own.handoffId
            let endpoints: [Endpoint] = [
                Endpoint(name: "health", method: .get, path: "/healthz", body: { nil },
                         expected: Dictionary(uniqueKeysWithValues: Caller.allCases.map { ($0, 200) })),
                Endpoint(name: "set recipient", method: .put, path: "/v1/recipient", body: { ["publicKey": .string(publicKey)] },
                         expected: only([.admin: 200])),
                Endpoint(name: "create handoff", method: .post, path: "/v1/handoffs", body: { ["customer": "Table", "expiresIn": "1d"] },
                         expected: only([.admin: 201])),
                Endpoint(name: "list handoffs", method: .get, path: "/v1/handoffs", body: { nil },
                         expected: only([.admin: 200, .generator: 200])),
                Endpoint(name: "show handoff", method: .get, path: "/v1/handoffs/\(h)", body: { nil },
                         expected: only([.admin: 200, .generator: 200], otherCustomer: 404, ownCustomer: 200)),
                Endpoint(name: "submit", method: .post, path: "/v1/handoffs/\(h)/submissions", body: { try InProcessVault.submission(for: own) },
                         expected: only([:], otherCustomer: 404, ownCustomer: 201)),
                Endpoint(name: "release latest", method: .get, path: "/v1/handoffs/\(h)/submissions/latest", body: { nil },
                         expected: only([.generator: 200], otherCustomer: 404)),
                Endpoint(name: "acknowledge", method: .post, path: "/v1/handoffs/\(h)/ack", body: { [:] },
                         expected: only([.generator: 200], otherCustomer: 404)),
                Endpoint(name: "fetch package (none delivered yet)", method: .get, path: "/v1/handoffs/\(h)/package", body: { nil },
                         expected: only([.generator: 404, .admin: 404], otherCustomer: 404, ownCustomer: 404)),
                Endpoint(name: "create token", method: .post, path: "/v1/tokens", body: { ["role": "auditor", "name": "table"] },
                         expected: only([.admin: 201])),
                Endpoint(name: "list tokens", method: .get, path: "/v1/tokens", body: { nil },
                         expected: only([.admin: 200])),
                Endpoint(name: "revoke token", method: .delete, path: "/v1/tokens/\(spare.id)", body: { nil },
                         expected: only([.admin: 200])),
                Endpoint(name: "audit events", method: .get, path: "/v1/audit/events?after=0&limit=5", body: { nil },
                         expected: only([.auditor: 200, .admin: 200])),
                Endpoint(name: "audit checkpoint", method: .get, path: "/v1/audit/checkpoint", body: { nil },
                         expected: only([.auditor: 200, .admin: 200], otherCustomer: 200, ownCustomer: 200)),
                Endpoint(name: "inclusion proof of another's event", method: .get, path: "/v1/audit/proof/inclusion?index=0&size=1", body: { nil },
                         expected: only([.auditor: 200, .admin: 200], otherCustomer: 404, ownCustomer: 404)),
                Endpoint(name: "consistency proof", method: .get, path: "/v1/audit/proof/consistency?from=1&to=2", body: { nil },
                         expected: only([.auditor: 200, .admin: 200])),
                Endpoint(name: "revoke handoff", method: .delete, path: "/v1/handoffs/\(doomed.handoffId)", body: { nil },
                         expected: only([.admin: 200], otherCustomer: 404, ownCustomer: 404)),
            ]
            var refusals = 0
            var mismatches: [String] = []
            // Admin last: its calls change state (a revoked token, a revoked handoff).
            let order: [Caller] = [.anonymous, .customerOther, .auditor, .customerOwn, .generator, .admin]
            for endpoint in endpoints {
                for caller in order {
                    let expected = endpoint.expected[caller]!
                    let answer = try await client.send(endpoint.method, endpoint.path, token: tokens[caller], json: try endpoint.body())
                    if answer.status != expected {
                        mismatches.append("\(endpoint.name) as \(caller.rawValue): \(answer.status) \(answer.problemCode ?? ""), expected \(expected)")
                    }
                    if answer.status >= 400 {
                        #expect(answer.contentType == "application/problem+json", "\(endpoint.name) as \(caller.rawValue)")
                    }
                    // "Not delivered yet" to a caller who may ask is an answer, not a refusal.
                    if [401, 403, 404].contains(answer.status), answer.problemCode != StoreError.Code.notReady.rawValue { refusals += 1 }
                }
            }
            #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
            let counted = vault.api.refusals.drainClosed(now: nil).reduce(0) { $0 + $1.count }
            #expect(counted == refusals, "every refusal is counted once")
        }
    }
}
