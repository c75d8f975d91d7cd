import Foundation
import HandoffDomain
import TestSupport
import Testing

/// The backup drill: back up under load, restore elsewhere, and find everything receipted.
@Suite("Backup and restore")
struct BackupRestoreTests {
    @Test("A backup taken under load restores with the master key; receipted submissions and the audit log survive")
    func drill() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let values = Scenario.fixture("valid-minimal.json")
        var receipted: [(invite: (handoffId: String, code: String, file: String), submissionId: String)] = []
        for customer in ["A", "B", "C"] {
            let invite = try await scenario.invite(customer: customer)
            let submitted = try await server.handoff(["submit", "--values", values, "--invite-file", invite.file, "--json"])
            try #require(submitted.status == 0)
            receipted.append((invite, try #require(try JSONParser.parse(submitted.standardOutput).objectValue?["submissionId"]?.stringValue)))
        }
        // Load: a stream of re-submissions while the backup runs.
        let load = try InteractiveProcess.start(URL(fileURLWithPath: "/bin/bash"), ["-c", """
            for i in $(seq 1 15); do "$0" submit --values "$1" --invite-file "$2" >/dev/null 2>&1; done; echo done
            """, TestPaths.product("handoff").path, values, receipted[0].invite.file], environment: server.environment())
        let backup = server.directory.appendingPathComponent("vault-backup.sqlite")
        let backedUp = try await ProcessRunner.run(TestPaths.product("handoffd"), ["backup", "--data-dir", server.dataDir.path, "--out", backup.path])
        #expect(backedUp.status == 0, "\(backedUp.standardError)")
        await #expect(load.readLine() == "done")
        let mode = try FileManager.default.attributesOfItem(atPath: backup.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // Nothing readable in the backup without the master key.
        let bytes = try Data(contentsOf: backup)
        let document = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: values)))).objectValue ?? [:]
        for secret in [document["clientId"]?.stringValue, document["acsConnectionString"]?.stringValue, server.adminToken, scenario.generatorToken].compactMap({ $0 }) {
            #expect(bytes.range(of: Data(secret.utf8)) == nil)
        }

        // Restore into a new directory; without the master key it refuses.
        let restoredDir = server.directory.appendingPathComponent("restored")
        let refused = try await ProcessRunner.run(TestPaths.product("handoffd"), ["restore", "--from", backup.path, "--data-dir", restoredDir.path])
        #expect(refused.status == 78)
        let restored = try await ProcessRunner.run(TestPaths.product("handoffd"), [
            "restore", "--from", backup.path, "--data-dir", restoredDir.path,
            "--master-key-file", server.dataDir.appendingPathComponent("master.key").path,
        ])
        try #require(restored.status == 0, "\(restored.standardError)")
        #expect(restored.standardOutput.contains("integrity ok, keys open"))
        try FileManager.default.copyItem(at: server.dataDir.appendingPathComponent("tls"), to: restoredDir.appendingPathComponent("tls"))
        await server.stop()

        let again = try ServerHarness(existingDataDir: restoredDir, adminToken: server.adminToken, serverKey: server.serverKey, caFile: server.caFile)
        try await again.start()
        for entry in receipted {
            let status = try await again.handoff(["status", "--invite-file", entry.invite.file, "--server", again.url, "--json"])
            #expect(status.status == 0, "\(status.standardError)")
            let receipts = try JSONParser.parse(status.standardOutput).objectValue?["receipts"]?.arrayValue ?? []
            #expect(receipts.contains { $0.objectValue?["submissionId"]?.stringValue == entry.submissionId })
        }
        let pulled = again.directory.appendingPathComponent("pulled")
        let pull = try await again.handoff(["pull", "--key", scenario.generatorKey, "--out", pulled.path], token: scenario.generatorToken)
        #expect(pull.status == 0, "\(pull.standardError)")
        for entry in receipted {
            #expect(FileManager.default.fileExists(atPath: pulled.appendingPathComponent("\(entry.invite.handoffId).json").path))
        }
        let auditor = try await again.handoff(["admin", "token", "create", "--role", "auditor", "--name", "a", "--json"], token: again.adminToken)
        let auditorToken = try #require(try JSONParser.parse(auditor.standardOutput).objectValue?["token"]?.stringValue)
        let export = again.directory.appendingPathComponent("audit.jsonl").path
        #expect(try await again.handoff(["audit", "export", "--out", export], token: auditorToken).status == 0)
        let verified = try await again.handoff(["audit", "verify", "--file", export, "--public-key", again.serverKey])
        #expect(verified.status == 0, "\(verified.standardOutput)\(verified.standardError)")
    }
}
