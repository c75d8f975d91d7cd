import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto

/// One sweep for secrets across everything the service lets out: known canary values are planted
/// in a submission, in every role's token and in every key, the whole flow and a round of hostile
/// requests run, and then every log line, every problem+json body, the metrics, the CLI's error
/// output and the raw database, WAL and shared-memory bytes are searched for each canary in each
/// form it could leak in (text, base64, raw bytes).
@Suite("Secret canaries", .serialized)
struct CanarySweepTests {
    /// A secret and the forms it could appear in. Credentials (keys, tokens, the connection
    /// string) may appear nowhere; the other values only never on the server's side (the CLI
    /// shows a customer their own endpoint when it does not match).
    struct Canary {
        let name: String
        let forms: [[UInt8]]
        let isCredential: Bool

        init(_ name: String, text: String, isCredential: Bool = true) {
            self.name = name
            forms = [Array(text.utf8)]
            self.isCredential = isCredential
        }

        /// A base64 secret: its text and its decoded bytes.
        init(_ name: String, base64: String) throws {
            self.name = name
            forms = [Array(base64.utf8), try Base64.decode(base64)]
            isCredential = true
        }
    }

    static let accessKeyBytes = Array("CANARY:acs-access-key:7f3a9c1e5b2d4f6a8c0e2b4d6f8a0c2e".utf8)
    static let endpointHost = "canary-7f3a9c1e.communication.azure.com"
    static let clientId = "7f3a9c1e-5b2d-4f6a-8c0e-2b4d6f8a0c2e"

    /// A values document whose every field is a distinctive canary.
    static func canaryValues() -> (document: String, accessKey: String, connection: String) {
        let accessKey = Base64.encode(accessKeyBytes)
        let connection = "endpoint=https://\(endpointHost)/;accesskey=\(accessKey)"
        let document: JSONValue = [
            "clientId": .string(clientId), "tenantId": "9e1d7c5b-3a2f-4e6d-8c0b-1a2f3e4d5c6b",
            "redirectUris": ["https://altouraremoteacs.azurewebsites.net/auth/callback"],
            "applicationIdUri": .string("api://altouraremoteacs.azurewebsites.net/\(clientId)"), "scope": "access_as_user",
            "acsConnectionString": .string(connection), "acsEndpoint": .string("https://\(endpointHost)/"),
        ]
        return (CanonicalJSON.string(document), accessKey, connection)
    }

    @Test("No canary from a submission, a token or a key reaches a log, problem body, metric or database byte")
    func sweep() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let auditor = try await scenario.token(role: "auditor")
        let values = Self.canaryValues()
        let valuesFile = server.directory.appendingPathComponent("canary-values.json")
        try Data(values.document.utf8).write(to: valuesFile)
        var cliErrors: [String] = []
        var problems: [String] = []

        // The whole flow, with the canary values.
        let invite = try await scenario.invite(customer: "Canary Customer")
        let inviteToken = try InviteCode(decoding: invite.code).token.withText { $0 }
        let submit = try await server.handoff(["submit", "--values", valuesFile.path, "--invite-file", invite.file, "--json"])
        try #require(submit.status == 0, "\(submit.standardError)")
        let pulled = server.directory.appendingPathComponent("pulled")
        let pull = try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", pulled.path, "--json"], token: scenario.generatorToken)
        try #require(pull.status == 0, "\(pull.standardError)")
        #expect(try Data(contentsOf: pulled.appendingPathComponent("\(invite.handoffId).json")).range(of: Data(values.accessKey.utf8)) != nil,
                "the generator got the canary access key (so the sweep looks for something that did travel)")
        let ack = try await server.handoff(["ack", invite.handoffId], token: scenario.generatorToken)
        #expect(ack.status == 0)
        for command in [["status", "--invite-file", invite.file], ["audit", "export", "--out", server.directory.appendingPathComponent("audit.jsonl").path]] {
            let result = try await server.handoff(command, token: command[0] == "audit" ? auditor : nil)
            #expect(result.status == 0, "\(command[0]): \(result.standardError)")
        }

        // Values the CLI refuses: the key near-valid and malformed, on the customer's machine.
        for broken in [values.document.replacingOccurrences(of: "accesskey=", with: "accesskey=!"),
                       values.document.replacingOccurrences(of: ";accesskey=", with: ";accesskey=;x="),
                       values.document.replacingOccurrences(of: "https://\(Self.endpointHost)/\"", with: "https://other.communication.azure.com/\"")] {
            try Data(broken.utf8).write(to: valuesFile)
            let refused = try await server.handoff(["validate", "--values", valuesFile.path, "--json"])
            #expect(refused.status == 65)
            cliErrors += [refused.standardOutput, refused.standardError]
            let second = try await scenario.invite(customer: "Canary Two")
            let submitted = try await server.handoff(["submit", "--values", valuesFile.path, "--invite-file", second.file])
            #expect(submitted.status == 65)
            cliErrors.append(submitted.standardError)
        }

        // Token files as editors save them: CRLF (accepted), and with a control character that
        // no header may carry (refused before anything is sent, without echoing the token).
        let tokenFile = server.directory.appendingPathComponent("admin-notepad.token")
        for (text, status) in [(server.adminToken + "\r\n", Int32(0)), (server.adminToken + "\u{7}\r\n", 64), ("\"" + server.adminToken + "\u{0}\"", 64)] {
            try Data(text.utf8).write(to: tokenFile)
            let listed = try await server.handoff(["admin", "token", "list", "--token-file", tokenFile.path])
            #expect(listed.status == status, "\(listed.standardError)")
            cliErrors += [listed.standardError]
        }

        // Hostile requests that carry the canaries to the server.
        try await TestHTTP.with(caFile: server.caFile) { http in
            let canaryToken = "hv_adm_" + Base64.encode(Array("CANARY-bogus-admin-token-7f3a9c1e".utf8).prefix(32), .urlSafeUnpadded)
            let submissions = server.url + "/v1/handoffs/\(invite.handoffId)/submissions"
            let hostile: [(String, String, String?, [UInt8]?)] = [
                ("POST", submissions, inviteToken, Array(("{\"sealed\":\"\(values.connection)\",\"recipientKeyId\":\"\(values.accessKey)\"}").utf8)),
                ("POST", submissions, inviteToken, Array(("{\"sealed\":\"" + Base64.encode(Array(values.document.utf8)) + "\",\"recipientKeyId\":\"rk_0\"}").utf8)),
                ("POST", server.url + "/v1/handoffs", server.adminToken, Array("{\"customer\":\"x\",\"expiresIn\":\"\(values.accessKey)\"}".utf8)),
                ("PUT", server.url + "/v1/recipient", server.adminToken, Array("{\"publicKey\":\"\(values.accessKey)\"}".utf8)),
                ("POST", server.url + "/v1/handoffs/\(invite.handoffId)/ack", scenario.generatorToken, Array("{\"note\":\"\(values.connection)\"}".utf8)),
                ("GET", server.url + "/v1/handoffs", invite.code, nil),
                ("GET", server.url + "/v1/handoffs", inviteToken, nil),
                ("GET", server.url + "/v1/audit/events", scenario.generatorToken, nil),
            ]
            for (method, url, token, body) in hostile {
                let answer = try await http.send(method, url, token: token, rawBody: body)
                #expect(answer.status >= 400 && answer.status < 500, "\(method) \(url): \(answer.status)")
                problems.append(answer.json.map(CanonicalJSON.string) ?? "")
            }
            let metrics = try await http.text(server.url + "/metrics")
            // Last, because it locks this address out: wrong tokens until the rate limit answers.
            for _ in 0..<12 {
                let answer = try await http.send("GET", server.url + "/v1/handoffs", token: canaryToken)
                #expect(answer.status == 401 || answer.status == 429)
                problems.append(answer.json.map(CanonicalJSON.string) ?? "")
            }
            #expect(problems.allSatisfy { $0.contains("\"status\":4") }, "every refusal is a problem document")

            await server.stop()
            var database = Data()
            for suffix in ["", "-wal", "-shm"] {
                database += (try? Data(contentsOf: URL(fileURLWithPath: server.databaseFile.path + suffix))) ?? Data()
            }
            let secretKeyText = try #require(try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scenario.generatorKey)))).objectValue?["secretKey"]?.stringValue)
            let masterKeyText = try String(contentsOf: server.dataDir.appendingPathComponent("master.key"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":").last.map(String.init) ?? ""
            let tlsKeyLines = try String(contentsOf: server.dataDir.appendingPathComponent("tls/key.pem"), encoding: .utf8)
                .split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
            let canaries: [Canary] = [
                try Canary("ACS access key", base64: values.accessKey),
                Canary("connection string", text: values.connection),
                Canary("ACS endpoint host", text: Self.endpointHost, isCredential: false),
                Canary("client id", text: Self.clientId, isCredential: false),
                Canary("admin token", text: server.adminToken),
                Canary("generator token", text: scenario.generatorToken),
                Canary("auditor token", text: auditor),
                Canary("invite code", text: invite.code),
                Canary("invite token", text: inviteToken),
                Canary("bogus canary token", text: canaryToken),
                try Canary("generator secret key", base64: secretKeyText),
                try Canary("master key", base64: masterKeyText),
            ] + tlsKeyLines.map { Canary("TLS private key", text: $0) }

            let haystacks: [(place: String, bytes: Data, serverSide: Bool)] = [
                ("the server log", Data(server.output().utf8), true),
                ("a problem+json body", Data(problems.joined(separator: "\n").utf8), true),
                ("the metrics", Data(metrics.utf8), true),
                ("the database, WAL and shm", database, true),
                ("the CLI's refusals", Data(cliErrors.joined(separator: "\n").utf8), false),
            ]
            #expect(haystacks.allSatisfy { !$0.bytes.isEmpty })
            #expect(server.output().split(separator: "\n").count > 30, "the log has the requests")
            var hits: [String] = []
            for (place, bytes, serverSide) in haystacks {
                for canary in canaries where (serverSide || canary.isCredential) && canary.forms.contains(where: { bytes.range(of: Data($0)) != nil }) {
                    hits.append("\(canary.name) in \(place)")
                }
            }
            print("canary sweep: \(canaries.count) canaries × \(haystacks.count) places, \(haystacks.reduce(0) { $0 + $1.bytes.count }) bytes searched, \(hits.count) hits")
            #expect(hits.isEmpty, "\(hits.joined(separator: "; "))")
        }
    }
}
