import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto

/// invite → submit → pull → ack with the real binaries over real TLS and a real SQLite file.
@Suite("End-to-end handoff", .serialized)
struct HandoffFlowTests {
    @Test("Values submitted by the customer arrive at the generator unchanged, and nowhere else")
    func fullFlow() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let invite = try await scenario.invite()

        let submitted = try await server.handoff(["submit", "--values", Scenario.fixture("valid-uppercase-guids.json"), "--invite-file", invite.file, "--json"])
        try #require(submitted.status == 0, "\(submitted.standardError)")
        let submission = try #require(try JSONParser.parse(submitted.standardOutput).objectValue)
        #expect(submission["handoffId"]?.stringValue == invite.handoffId)
        let receipt = try #require(submission["receipt"]?.stringValue)
        #expect(receipt.hasPrefix("handoff-vault receipt v1\n\(invite.handoffId)\n"))
        #expect(receipt.contains("\n\n— handoff-vault/test "))

        let status = try await server.handoff(["status", "--invite-file", invite.file, "--json"])
        #expect(status.status == 0, "\(status.standardError)")
        #expect(try JSONParser.parse(status.standardOutput).objectValue?["state"] == "submitted")

        let pulled = server.directory.appendingPathComponent("pulled")
        let packages = server.directory.appendingPathComponent("packages")
        let pull = try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", pulled.path, "--package-out", packages.path, "--json"], token: scenario.generatorToken)
        try #require(pull.status == 0, "\(pull.standardError)")
        let file = pulled.appendingPathComponent("\(invite.handoffId).json")
        let opened = try HandoffValues.validate(document: Array(try Data(contentsOf: file)))
        let original = try HandoffValues.validate(document: Array(try Data(contentsOf: URL(fileURLWithPath: Scenario.fixture("valid-uppercase-guids.json")))))
        #expect(opened == original)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(FileManager.default.fileExists(atPath: packages.appendingPathComponent("\(invite.handoffId).zip").path))

        #expect(try JSONParser.parse(try await server.handoff(["status", "--invite-file", invite.file, "--json"]).standardOutput).objectValue?["state"] == "released")
        let ack = try await server.handoff(["ack", invite.handoffId], token: scenario.generatorToken)
        #expect(ack.status == 0, "\(ack.standardError)")
        #expect(try await server.sql("SELECT state FROM handoff WHERE id = '\(invite.handoffId)'") == "acknowledged")

        // Nothing readable at rest, and nothing secret in the server's output.
        let connection = try #require(try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Scenario.fixture("valid-uppercase-guids.json"))))).objectValue?["acsConnectionString"]?.stringValue)
        let accessKey = String(connection.split(separator: ";").first { $0.lowercased().hasPrefix("accesskey=") }!.dropFirst("accesskey=".count))
        var raw = Data()
        for suffix in ["", "-wal", "-shm"] {
            raw += (try? Data(contentsOf: URL(fileURLWithPath: server.databaseFile.path + suffix))) ?? Data()
        }
        #expect(raw.count > 0)
        let secrets = [original.clientId, original.clientId.uppercased(), original.tenantId, accessKey, connection, "communication.azure.com",
                       server.adminToken, scenario.generatorToken, invite.code]
        for secret in secrets {
            #expect(raw.range(of: Data(secret.utf8)) == nil, "the database holds \(secret.prefix(12))…")
            #expect(!server.output().contains(secret), "the server printed \(secret.prefix(12))…")
        }
        let tokenText = try InviteCode(decoding: invite.code).token.withText { $0 }
        #expect(raw.range(of: Data(tokenText.utf8)) == nil)
        #expect(!server.output().contains(tokenText))
    }

    @Test("A sealed box moved to another handoff is caught by pull, and nothing is written for it")
    func movedBoxIsCaught() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let first = try await scenario.invite(customer: "Contoso")
        let second = try await scenario.invite(customer: "Fabrikam")
        // A box sealed (correctly) for the first handoff, uploaded with the second invite — what a
        // server that moved rows between handoffs would hand the generator.
        let inviteA = try InviteCode(decoding: first.code)
        let inviteB = try InviteCode(decoding: second.code)
        let values = try HandoffValues.validate(document: Array(try Data(contentsOf: URL(fileURLWithPath: Scenario.fixture("valid-minimal.json")))))
        let sealed = try SealedPayload(handoffId: inviteA.handoffId, sealedAt: "2026-11-26T12:00:00Z", values: values).seal(to: inviteA.recipientKey)
        try await TestHTTP.with(caFile: server.caFile) { http in
            let upload = try await http.send("POST", server.url + "/v1/handoffs/\(inviteB.handoffId)/submissions",
                                             token: inviteB.token.withText { $0 },
                                             body: ["sealed": .string(Base64.encode(sealed)), "recipientKeyId": .string(inviteB.recipientKey.keyId)])
            try #require(upload.status == 201)

            let pulled = server.directory.appendingPathComponent("pulled")
            let pull = try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", pulled.path], token: scenario.generatorToken)
            #expect(pull.status == 76)
            #expect(pull.standardError.contains("names handoff \(inviteA.handoffId), but it was fetched for \(inviteB.handoffId)"))
            #expect(!FileManager.default.fileExists(atPath: pulled.appendingPathComponent("\(inviteB.handoffId).json").path))
        }
    }

    @Test("The CLI refuses a server certificate it does not trust")
    func untrustedCertificate() async throws {
        let scenario = try await Scenario()
        let other = try await ServerHarness()
        let invite = try await scenario.invite()
        let values = Scenario.fixture("valid-minimal.json")
        let wrongCA = try await scenario.server.handoff(["submit", "--values", values, "--invite-file", invite.file], extra: ["HANDOFF_CA_FILE": other.caFile])
        #expect(wrongCA.status == 76)
        #expect(wrongCA.standardError.contains("not trusted"))
        var environment = scenario.server.environment()
        environment["HANDOFF_CA_FILE"] = nil
        let systemStore = try await ProcessRunner.run(TestPaths.product("handoff"), ["submit", "--values", values, "--invite-file", invite.file], environment: environment)
        #expect(systemStore.status == 76)
        #expect(try await scenario.server.sql("SELECT COUNT(*) FROM submission") == "0")
    }

    @Test("When the audit insert fails, the submission and the release fail with it")
    func auditFailsClosed() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let invite = try await scenario.invite()
        let values = Scenario.fixture("valid-minimal.json")
        _ = try await server.sql("CREATE TRIGGER refuse_audit BEFORE INSERT ON auditEvent BEGIN SELECT RAISE(ABORT, 'audit disabled by test'); END")
        let refused = try await server.handoff(["submit", "--values", values, "--invite-file", invite.file])
        #expect(refused.status == 69, "\(refused.standardError)")
        #expect(try await server.sql("SELECT COUNT(*) FROM submission") == "0")
        #expect(try await server.sql("SELECT state FROM handoff") == "invited")

        _ = try await server.sql("DROP TRIGGER refuse_audit")
        #expect(try await server.handoff(["submit", "--values", values, "--invite-file", invite.file]).status == 0)
        _ = try await server.sql("CREATE TRIGGER refuse_audit BEFORE INSERT ON auditEvent BEGIN SELECT RAISE(ABORT, 'audit disabled by test'); END")
        let pulled = server.directory.appendingPathComponent("pulled")
        let pull = try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", pulled.path], token: scenario.generatorToken)
        #expect(pull.status == 76)
        #expect(try await server.sql("SELECT state FROM handoff") == "submitted", "no audit row, no release")
        #expect(!FileManager.default.fileExists(atPath: pulled.appendingPathComponent("\(invite.handoffId).json").path))
    }

    @Test("The server refuses to start on a master key or data directory others can read")
    func refusesOpenPermissions() async throws {
        let server = try await ServerHarness()
        let key = server.dataDir.appendingPathComponent("master.key").path
        chmod(key, 0o644)
        let run = try await ProcessRunner.run(TestPaths.product("handoffd"), ["serve", "--data-dir", server.dataDir.path, "--port", "0"])
        #expect(run.status == 78)
        #expect(run.standardError.contains("has mode 644, open to group or others"))
        chmod(key, 0o600)
        chmod(server.dataDir.path, 0o755)
        let again = try await ProcessRunner.run(TestPaths.product("handoffd"), ["serve", "--data-dir", server.dataDir.path, "--port", "0"])
        #expect(again.status == 78)
        #expect(again.standardError.contains("the data directory"))
    }
}
