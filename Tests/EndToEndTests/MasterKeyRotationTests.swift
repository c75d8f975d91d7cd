import Foundation
import HandoffDomain
import TestSupport
import Testing

/// `handoffd rotate-master-key` on a real data directory.
@Suite("Master key rotation")
struct MasterKeyRotationTests {
    @Test("Rotation re-wraps everything under a new version, retires the old key, and the server carries on")
    func rotation() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        var invites: [(handoffId: String, code: String, file: String)] = []
        for customer in ["A", "B", "C", "D"] {
            let invite = try await scenario.invite(customer: customer)
            #expect(try await server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file]).status == 0)
            invites.append(invite)
        }
        let keyFile = server.dataDir.appendingPathComponent("master.key")
        let oldKey = try String(contentsOf: keyFile, encoding: .utf8)
        let rotate = ["rotate-master-key", "--data-dir", server.dataDir.path, "--json"]
        let whileServing = try await ProcessRunner.run(TestPaths.product("handoffd"), rotate)
        #expect(whileServing.status == 78)
        #expect(whileServing.standardError.contains("stop it before rotating the master key"))

        await server.stop()
        let rotated = try await ProcessRunner.run(TestPaths.product("handoffd"), rotate)
        try #require(rotated.status == 0, "\(rotated.standardError)")
        let report = try #require(try JSONParser.parse(rotated.standardOutput).objectValue)
        #expect(report["version"] == 2)
        #expect(report["dataKeys"] == 4)
        let newKey = try String(contentsOf: keyFile, encoding: .utf8)
        #expect(newKey.hasPrefix("v2:") && newKey != oldKey)
        #expect(try await server.sql("SELECT DISTINCT keyVersion FROM submission") == "2")
        #expect(try await server.sql("SELECT DISTINCT recordKeyVersion FROM submission") == "1", "records themselves are untouched")

        // The old key is retired: the server refuses it.
        var environment = ProcessInfo.processInfo.environment
        environment["HANDOFF_MASTER_KEY"] = oldKey
        let withOld = try await ProcessRunner.run(TestPaths.product("handoffd"), ["serve", "--data-dir", server.dataDir.path, "--port", "0"], environment: environment)
        #expect(withOld.status == 78)

        let again = try ServerHarness(existingDataDir: server.dataDir, adminToken: server.adminToken, serverKey: server.serverKey, caFile: server.caFile)
        try await again.start()
        let pulled = again.directory.appendingPathComponent("pulled")
        let pull = try await again.handoff(["pull", "--key", scenario.generatorKey, "--out", pulled.path], token: scenario.generatorToken)
        #expect(pull.status == 0, "\(pull.standardError)")
        #expect((try FileManager.default.contentsOfDirectory(atPath: pulled.path)).filter { $0.hasSuffix(".json") && !$0.hasSuffix(".tenant-proof.json") }.count == 4, "four values files (each with its tenant-proof verdict beside it)")
        let fresh = try await again.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invites[0].file, "--server", again.url])
        #expect(fresh.status == 0, "\(fresh.standardError)")
        #expect(try await again.sql("SELECT COUNT(*) FROM submission WHERE keyVersion = 2 AND recordKeyVersion = 2") == "1")
        #expect(try await again.sql("SELECT COUNT(*) FROM auditEvent WHERE CAST(event AS TEXT) LIKE '%server.master_key_rotated%'") == "1")
    }

    @Test("A rotation that committed but did not replace the key file is finished at the next start")
    func interruptedRotation() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let invite = try await scenario.invite()
        #expect(try await server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file]).status == 0)
        await server.stop()
        let keyFile = server.dataDir.appendingPathComponent("master.key")
        let oldKey = try Data(contentsOf: keyFile)
        #expect(try await ProcessRunner.run(TestPaths.product("handoffd"), ["rotate-master-key", "--data-dir", server.dataDir.path]).status == 0)
        // Put the files back as a crash between commit and rename would have left them.
        try FileManager.default.moveItem(at: keyFile, to: server.dataDir.appendingPathComponent("master.key.next"))
        try oldKey.write(to: keyFile)
        chmod(keyFile.path, 0o600)

        let again = try ServerHarness(existingDataDir: server.dataDir, adminToken: server.adminToken, serverKey: server.serverKey, caFile: server.caFile)
        try await again.start()
        #expect(try String(contentsOf: keyFile, encoding: .utf8).hasPrefix("v2:"))
        #expect(!FileManager.default.fileExists(atPath: server.dataDir.appendingPathComponent("master.key.next").path))
        let pull = try await again.handoff(["pull", "--key", scenario.generatorKey, "--out", again.directory.appendingPathComponent("p").path], token: scenario.generatorToken)
        #expect(pull.status == 0, "\(pull.standardError)")
    }
}
