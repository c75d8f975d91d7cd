import Foundation
import HandoffDomain
import TestSupport
import Testing

/// `handoff generator run` against the real server: the whole Step 8–10 round by the agent, a
/// handoff refused for its missing tenant proof while the others go through, and SIGTERM.
/// (Crashes at random points, ten handoffs and a failing build command: scripts/agent/agent_crashtest.py.)
@Suite("Generator agent")
struct GeneratorAgentTests {
    static let objectId = "2f0c1b7e-3a4d-4c5e-9f60-718293a4b5c6"

    func run(_ scenario: Scenario, _ out: URL, _ extra: [String] = []) async throws -> ProcessResult {
        try await scenario.server.handoff(
            ["generator", "run", "--once", "--key", scenario.generatorKey, "--out", out.path] + extra, token: scenario.generatorToken
        )
    }

    @Test("--once: pulled, built, acknowledged, delivered and fetched by the customer; the Step 10 Object ID merged and acknowledged; nothing twice")
    func wholeRound() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let out = server.directory.appendingPathComponent("agent")
        let invite = try await scenario.invite()
        #expect(try await server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file]).status == 0)

        let first = try await run(scenario, out)
        #expect(first.status == 0, "\(first.standardError)")
        let lines = first.standardOutput.split(separator: "\n").filter { $0.contains(invite.handoffId) }
        #expect(lines.count == 3 && lines[0].contains("pulled submission") && lines[1].contains("built the package")
                && lines[2].contains("delivered package 1"), "\(first.standardOutput)")
        #expect(try await server.sql("SELECT state FROM handoff WHERE id = '\(invite.handoffId)'") == "delivered")
        let fetched = try await server.handoff(["package", "fetch", "--out", server.directory.appendingPathComponent("fetched").path,
                                                "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file])
        #expect(fetched.status == 0, "the customer verifies what the agent delivered: \(fetched.standardError)")
        let folder = try FileManager.default.attributesOfItem(atPath: out.path)[.posixPermissions] as? Int
        #expect(folder == 0o700)
        let state = try JSONParser.parse(Array(try Data(contentsOf: out.appendingPathComponent("agent-state.json"))))
        #expect(state.objectValue?["handoffs"]?.objectValue?[invite.handoffId]?.objectValue?["step"] == "done")

        // Again: nothing waits, nothing is delivered twice.
        let again = try await run(scenario, out)
        #expect(again.status == 0 && !again.standardOutput.contains(invite.handoffId), "\(again.standardOutput)")
        #expect(try await server.sql("SELECT count(*) FROM auditEvent WHERE json_extract(CAST(event AS TEXT), '$.action') = 'package.delivered'") == "1")

        // Step 10: the Object ID comes back; the agent adds it to the values and acknowledges.
        #expect(try await server.handoff(["submit", "--object-id", Self.objectId, "--invite-file", invite.file]).status == 0)
        let step10 = try await run(scenario, out)
        #expect(step10.status == 0 && step10.standardOutput.contains("Object ID \(Self.objectId) (Step 10)"), "\(step10.standardOutput)")
        let values = try JSONParser.parse(Array(try Data(contentsOf: out.appendingPathComponent("\(invite.handoffId).json"))))
        #expect(values.objectValue?["teamsAppObjectId"]?.stringValue == Self.objectId)
        #expect(try await server.sql("SELECT state FROM handoff WHERE id = '\(invite.handoffId)'") == "acknowledged")
    }

    @Test("--require-tenant-proof: a handoff without one fails (exit 76, retried later), the other is delivered; SIGTERM exits 0")
    func oneFailsOthersGo() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let out = server.directory.appendingPathComponent("agent")
        let invites = [try await scenario.invite(customer: "One"), try await scenario.invite(customer: "Two")]
        for invite in invites {
            #expect(try await server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file]).status == 0)
        }
        let strict = try await run(scenario, out, ["--require-tenant-proof", "--entra-client-id", "3f2c7a10-5b8e-4d21-9c4f-0a1b2c3d4e5f"])
        #expect(strict.status == 76, "\(strict.standardError)")
        #expect(strict.standardOutput.split(separator: "\n").filter { $0.contains("failed (attempt 1)") && $0.contains("tenant proof") }.count == 2,
                "\(strict.standardOutput)")
        #expect(try await server.sql("SELECT count(*) FROM package") == "0", "nothing built from values without their required proof")

        // Without the requirement, a long-running agent delivers both, then stops on SIGTERM. (In
        // the first run's folder it would wait out the backoff its state file records: this one
        // starts a folder of its own.)
        let service = Process()
        service.executableURL = TestPaths.product("handoff")
        service.arguments = ["generator", "run", "--key", scenario.generatorKey, "--out", server.directory.appendingPathComponent("agent-2").path, "--poll-interval", "1"]
        service.environment = server.environment(token: scenario.generatorToken)
        let output = server.directory.appendingPathComponent("agent-2.out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        service.standardOutput = try FileHandle(forWritingTo: output)
        try service.run()
        var delivered = ""
        for _ in 0..<100 where delivered != "2" {
            try await Task.sleep(for: .milliseconds(200))
            delivered = try await server.sql("SELECT count(*) FROM package")
        }
        #expect(delivered == "2", "both delivered by the running agent")
        kill(service.processIdentifier, SIGTERM)
        for _ in 0..<100 where service.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!service.isRunning && service.terminationStatus == 0, "SIGTERM ends the agent with 0")
        let log = try String(contentsOf: output, encoding: .utf8)
        #expect(log.contains("following the event stream") && log.contains("agent: stopped"), "\(log)")
    }
}
