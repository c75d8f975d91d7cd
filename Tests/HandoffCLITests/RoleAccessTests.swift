import Foundation
import NIOHTTP1
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto

/// Every role against every endpoint, over real TLS: who gets through, who gets 401, 403 or 404.
@Suite("Roles × endpoints")
struct RoleAccessTests {
    enum Caller: String, CaseIterable {
        case anonymous, customerOwn, customerOther, generator, auditor, admin
    }

    struct Endpoint {
        let name: String
        let method: String
        let path: String
        /// A fresh body per call (submissions need a new box each time).
        let body: () throws -> JSONValue?
        /// The status each caller must get.
        let expected: [Caller: Int]
    }

    @Test("Each role reaches exactly its endpoints; refusals are 401, 403 or 404 and audited")
    func table() async throws {
        // The matrix refuses on purpose far more than ten times a minute from one address.
        let scenario = try Scenario(serverEnvironment: ["HANDOFF_REFUSAL_LIMIT": "100000"])
        let server = scenario.server
        let own = try scenario.invite(customer: "Own")
        let other = try scenario.invite(customer: "Other")
        let doomed = try scenario.invite(customer: "Doomed")
        let ownInvite = try InviteCode(decoding: own.code)
        let auditor = try scenario.token(role: "auditor")
        let tokens: [Caller: String] = [
            .customerOwn: ownInvite.token.withText { $0 },
            .customerOther: try InviteCode(decoding: other.code).token.withText { $0 },
            .generator: scenario.generatorToken, .auditor: auditor, .admin: server.adminToken,
        ]
        let values = try HandoffValues.validate(document: Array(try Data(contentsOf: URL(fileURLWithPath: Scenario.fixture("valid-minimal.json")))))
        let publicKey = try #require(try JSONParser.parse(Array(try Data(contentsOf: scenario.keyDirectory.appendingPathComponent("generator.pub"))))
            .objectValue?["publicKey"]?.stringValue)
        let spareToken = try scenario.token(role: "auditor")
        let spareId = try #require(try server.sql("SELECT id FROM token WHERE role = 'auditor' ORDER BY createdAt DESC, id LIMIT 1").split(separator: "\n").first.map(String.init))
        _ = spareToken

        func only(_ allowed: [Caller: Int], otherCustomer: Int = 403, ownCustomer: Int = 403) -> [Caller: Int] {
            var result: [Caller: Int] = [.anonymous: 401, .customerOwn: ownCustomer, .customerOther: otherCustomer, .generator: 403, .auditor: 403, .admin: 403]
            for (caller, status) in allowed { result[caller] = status }
            return result
        }
        let h = own.handoffId
        let endpoints: [Endpoint] = [
            Endpoint(name: "health", method: "GET", path: "/healthz", body: { nil },
                     expected: Dictionary(uniqueKeysWithValues: Caller.allCases.map { ($0, 200) })),
            Endpoint(name: "set recipient", method: "PUT", path: "/v1/recipient", body: { ["publicKey": .string(publicKey)] },
                     expected: only([.admin: 200])),
            Endpoint(name: "create handoff", method: "POST", path: "/v1/handoffs", body: { ["customer": "Table", "expiresIn": "1d"] },
                     expected: only([.admin: 201])),
            Endpoint(name: "list handoffs", method: "GET", path: "/v1/handoffs", body: { nil },
                     expected: only([.admin: 200, .generator: 200])),
            Endpoint(name: "show handoff", method: "GET", path: "/v1/handoffs/\(h)", body: { nil },
                     expected: only([.admin: 200, .generator: 200], otherCustomer: 404, ownCustomer: 200)),
            Endpoint(name: "submit", method: "POST", path: "/v1/handoffs/\(h)/submissions", body: {
                let sealed = try SealedPayload(handoffId: h, sealedAt: "2026-11-26T12:00:00Z", values: values).seal(to: ownInvite.recipientKey)
                return ["sealed": .string(Base64.encode(sealed)), "recipientKeyId": .string(ownInvite.recipientKey.keyId)]
            }, expected: only([:], otherCustomer: 404, ownCustomer: 201)),
            Endpoint(name: "release latest", method: "GET", path: "/v1/handoffs/\(h)/submissions/latest", body: { nil },
                     expected: only([.generator: 200], otherCustomer: 404)),
            Endpoint(name: "acknowledge", method: "POST", path: "/v1/handoffs/\(h)/ack", body: { [:] },
                     expected: only([.generator: 200], otherCustomer: 404)),
            Endpoint(name: "create token", method: "POST", path: "/v1/tokens", body: { ["role": "auditor", "name": "table"] },
                     expected: only([.admin: 201])),
            Endpoint(name: "list tokens", method: "GET", path: "/v1/tokens", body: { nil },
                     expected: only([.admin: 200])),
            Endpoint(name: "revoke token", method: "DELETE", path: "/v1/tokens/\(spareId)", body: { nil },
                     expected: only([.admin: 200])),
            Endpoint(name: "audit events", method: "GET", path: "/v1/audit/events?after=0&limit=5", body: { nil },
                     expected: only([.auditor: 200, .admin: 200])),
            Endpoint(name: "audit checkpoint", method: "GET", path: "/v1/audit/checkpoint", body: { nil },
                     expected: only([.auditor: 200, .admin: 200], otherCustomer: 200, ownCustomer: 200)),
            Endpoint(name: "inclusion proof of another's event", method: "GET", path: "/v1/audit/proof/inclusion?index=0&size=1", body: { nil },
                     expected: only([.auditor: 200, .admin: 200], otherCustomer: 404, ownCustomer: 404)),
            Endpoint(name: "consistency proof", method: "GET", path: "/v1/audit/proof/consistency?from=1&to=2", body: { nil },
                     expected: only([.auditor: 200, .admin: 200])),
            Endpoint(name: "revoke handoff", method: "DELETE", path: "/v1/handoffs/\(doomed.handoffId)", body: { nil },
                     expected: only([.admin: 200], otherCustomer: 404, ownCustomer: 404)),
        ]

        let http = try TestHTTP(caFile: server.caFile)
        defer { http.close() }
        var refusals = 0
        var mismatches: [String] = []
        // Admin last: its calls change state (a revoked token, a revoked handoff).
        let order: [Caller] = [.anonymous, .customerOther, .auditor, .customerOwn, .generator, .admin]
        for endpoint in endpoints {
            for caller in order {
                let expected = endpoint.expected[caller]!
                let answer = try await http.send(endpoint.method, server.url + endpoint.path, token: tokens[caller], body: try endpoint.body())
                if answer.status != expected {
                    mismatches.append("\(endpoint.name) as \(caller.rawValue): \(answer.status), expected \(expected)")
                }
                if [401, 403, 404].contains(answer.status) {
                    refusals += 1
                    #expect(answer.headers.first(name: "Content-Type") == "application/problem+json")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        // Refusals are audited aggregated when their window closes, at the latest at shutdown.
        server.stop()
        #expect(try SecurityHardeningTests.refusalAudit(server).refused == refusals, "every refusal is counted once")
    }

    @Test("Bad bodies and bad tokens get problem documents with 4xx, and change nothing")
    func badInput() async throws {
        let scenario = try Scenario()
        let server = scenario.server
        let invite = try scenario.invite()
        let token = try InviteCode(decoding: invite.code).token.withText { $0 }
        let http = try TestHTTP(caFile: server.caFile)
        defer { http.close() }
        let submissions = server.url + "/v1/handoffs/\(invite.handoffId)/submissions"
        let cases: [(String, [UInt8], String, Int)] = [
            ("not JSON", Array("{".utf8), "application/json", 400),
            ("duplicate keys", Array(#"{"sealed":"AA==","sealed":"AA==","recipientKeyId":"x"}"#.utf8), "application/json", 400),
            ("unknown field", Array(#"{"sealed":"AA==","recipientKeyId":"x","extra":1}"#.utf8), "application/json", 400),
            ("missing field", Array(#"{"sealed":"AA=="}"#.utf8), "application/json", 400),
            ("not base64", Array(#"{"sealed":"***","recipientKeyId":"x"}"#.utf8), "application/json", 400),
            ("too short to be a box", Array(#"{"sealed":"AAAA","recipientKeyId":"x"}"#.utf8), "application/json", 400),
            ("wrong recipient", Array(("{\"sealed\":\"" + Base64.encode([UInt8](repeating: 7, count: 100)) + "\",\"recipientKeyId\":\"rk_0000000000000000\"}").utf8), "application/json", 422),
            ("form encoded", Array("a=b".utf8), "application/x-www-form-urlencoded", 415),
            ("too large", [UInt8](repeating: 0x20, count: 70 * 1024), "application/json", 413),
        ]
        for (name, body, type, status) in cases {
            let answer = try await http.send("POST", submissions, token: token, rawBody: body, contentType: type)
            #expect(answer.status == status, "\(name): \(answer.status)")
            #expect(answer.headers.first(name: "Content-Type") == "application/problem+json", "\(name)")
            #expect(answer.json?.objectValue?["status"] == .integer(Int64(status)), "\(name)")
        }
        for bad in ["hv_adm_" + String(repeating: "A", count: 43), "nonsense", ""] {
            let answer = try await http.send("GET", server.url + "/v1/handoffs", token: bad)
            #expect(answer.status == 401)
        }
        let unknown = try await http.send("GET", server.url + "/v1/handoffs/not-a-uuid", token: server.adminToken)
        #expect(unknown.status == 404)
        let missing = try await http.send("GET", server.url + "/v1/handoffs/\(UUID().uuidString.lowercased())", token: server.adminToken)
        #expect(missing.status == 404)
        #expect(try server.sql("SELECT COUNT(*) FROM submission") == "0")
        #expect(try server.sql("SELECT state FROM handoff") == "invited")
        #expect(!server.output().contains(token))
    }
}
