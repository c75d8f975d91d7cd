import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto

/// An independent C2SP witness (Tests/Tools/witness.py: PyNaCl and sqlite3, written from the C2SP
/// texts, no project code) running over HTTPS with its own key and database.
final class WitnessProcess: @unchecked Sendable {
    static let script = TestPaths.repository.appendingPathComponent("Tests/Tools/witness.py").path

    let name: String
    let vkey: String
    let seed: String
    let directory: URL
    private(set) var port = 0
    private var process: Process?

    /// A CA and a certificate for 127.0.0.1 in `directory`; answers the CA file handoffd trusts.
    static func tls(in directory: URL) async throws -> String {
        let made = try await ProcessRunner.python([script, "tls", directory.path])
        guard made.status == 0 else { throw HarnessError("witness tls: \(made.standardError)") }
        return directory.appendingPathComponent("ca.pem").path
    }

    init(name: String, directory: URL) async throws {
        let made = try await ProcessRunner.python([Self.script, "keygen", name])
        guard made.status == 0, let key = try JSONParser.parse(made.standardOutput).objectValue,
              let vkey = key["vkey"]?.stringValue, let seed = key["seed"]?.stringValue
        else { throw HarnessError("witness keygen: \(made.standardError)") }
        self.name = name
        self.vkey = vkey
        self.seed = seed
        self.directory = directory
    }

    /// Starts serving on `port` (0: a free one) for the log `origin` with Ed25519 key `logKey`.
    func start(tls: URL, origin: String, logKey: String, port: Int = 0) async throws {
        let file = name.replacingOccurrences(of: "/", with: "_")
        let ready = directory.appendingPathComponent("\(file).ready")
        try? FileManager.default.removeItem(at: ready)
        let process = Process()
        process.executableURL = ProcessRunner.python
        process.arguments = [
            Self.script, "serve", "--name", name, "--db", directory.appendingPathComponent("\(file).sqlite").path,
            "--port", String(port), "--tls", tls.path, "--log", "\(origin)=\(logKey)", "--ready", ready.path,
        ]
        // The key's seed in the environment, never in argv.
        process.environment = ProcessInfo.processInfo.environment.merging(["WITNESS_SEED": seed]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        let errors = directory.appendingPathComponent("\(file).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let text = try? String(contentsOf: ready, encoding: .utf8), let bound = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                self.port = bound
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("witness \(name) did not start: \((try? String(contentsOf: directory.appendingPathComponent("\(file).err"), encoding: .utf8)) ?? "")")
    }

    var url: String { "https://127.0.0.1:\(port)" }

    /// Stops it and waits (polling, without holding a thread) until it has exited.
    func stop() async {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)  // as a crash would: its database keeps what it committed
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

@Suite("Witnessed checkpoints")
struct WitnessTests {
    /// Two witnesses, started before the vault that names them (their ports fixed), each with its
    /// own key and database.
    static func witnessed(_ names: [String] = ["witness.test/w1", "witness.test/w2"]) async throws -> (Scenario, [WitnessProcess], URL) {
        var witnesses: [WitnessProcess] = []
        var tls = URL(fileURLWithPath: "/")
        let scenario = try await Scenario(serverEnvironment: ["HANDOFF_CHECKPOINT_INTERVAL": "4"]) { server in
            tls = server.directory.appendingPathComponent("witness-tls")
            let caFile = try await WitnessProcess.tls(in: tls)
            for name in names {
                let witness = try await WitnessProcess(name: name, directory: server.directory)
                try await witness.start(tls: tls, origin: "handoff-vault/test", logKey: server.serverKey)
                witnesses.append(witness)
            }
            return [
                "HANDOFF_WITNESSES": witnesses.map { "\($0.vkey) \($0.url)" }.joined(separator: ","),
                "HANDOFF_OUTBOUND_CA_FILE": caFile,
            ]
        }
        return (scenario, witnesses, tls)
    }

    static func export(_ scenario: Scenario, auditor: String, to name: String) async throws -> String {
        let file = scenario.server.directory.appendingPathComponent(name).path
        let exported = try await scenario.server.handoff(["audit", "export", "--out", file], token: auditor)
        #expect(exported.status == 0, "\(exported.standardError)")
        return file
    }

    static func verify(_ scenario: Scenario, _ file: String, _ arguments: [String]) async throws -> ProcessResult {
        try await scenario.server.handoff(["audit", "verify", "--file", file, "--public-key", scenario.server.serverKey, "--json"] + arguments)
    }

    /// The export's checkpoint note, and the export with its checkpoint note replaced.
    static func checkpointNote(_ file: String) throws -> String {
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        return try #require(try JSONParser.parse(String(lines.last ?? "")).objectValue?["checkpoint"]?.stringValue)
    }

    /// Copies a stopped server's SQLite database: the file with its write-ahead log, if one is
    /// left, replacing whatever was at the destination.
    static func copyDatabase(_ source: URL, to destination: URL) throws {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: destination.path + suffix)
            if FileManager.default.fileExists(atPath: source.path + suffix) {
                try FileManager.default.copyItem(atPath: source.path + suffix, toPath: destination.path + suffix)
            }
        }
    }

    static func replacingNote(_ file: String, with note: String, as name: String) throws -> String {
        var lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[lines.count - 1] = CanonicalJSON.string(["checkpoint": .string(note)])
        let path = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(name).path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("Two witnesses cosign; quorum 2 of 2 verifies; a forged cosignature, one over another tree, a key not given are refused; a witness down blocks nothing")
    func quorum() async throws {
        let (scenario, witnesses, tls) = try await Self.witnessed()
        let server = scenario.server
        let auditor = try await scenario.token(role: "auditor")
        for index in 0..<3 { _ = try await scenario.invite(customer: "Customer \(index)") }
        let first = try await Self.export(scenario, auditor: auditor, to: "first.jsonl")
        let note = try Self.checkpointNote(first)
        #expect(note.contains("— witness.test/w1 ") && note.contains("— witness.test/w2 "), "both cosignatures on the export's checkpoint: \(note)")
        let both = try await Self.verify(scenario, first, ["--witness", witnesses[0].vkey, "--witness", witnesses[1].vkey, "--quorum", "2"])
        #expect(both.status == 0, "\(both.standardOutput) \(both.standardError)")
        #expect(try JSONParser.parse(both.standardOutput).objectValue?["cosignedBy"] == ["witness.test/w1", "witness.test/w2"])

        // A forged cosignature: one byte of w2's signature changed.
        let forgedLine = try #require(note.split(separator: "\n").first { $0.hasPrefix("— witness.test/w2 ") })
        var blob = try Base64.decode(String(forgedLine.split(separator: " ")[2]))
        blob[20] ^= 0x01
        let forged = try Self.replacingNote(first, with: note.replacingOccurrences(of: forgedLine, with: "— witness.test/w2 " + Base64.encode(blob)), as: "forged.jsonl")
        let refused = try await Self.verify(scenario, forged, ["--witness", witnesses[0].vkey, "--witness", witnesses[1].vkey, "--quorum", "2"])
        #expect(refused.status == 76 && refused.standardOutput.contains("fewer than the quorum of 2"), "\(refused.standardOutput)")
        #expect(try await Self.verify(scenario, forged, ["--witness", witnesses[0].vkey]).status == 0, "w1's cosignature still holds alone")

        // A cosignature over another tree: the log grows; w1's line from the first checkpoint is
        // put on the second.
        for index in 3..<6 { _ = try await scenario.invite(customer: "Customer \(index)") }
        let second = try await Self.export(scenario, auditor: auditor, to: "second.jsonl")
        let secondNote = try Self.checkpointNote(second)
        let oldLine = try #require(note.split(separator: "\n").first { $0.hasPrefix("— witness.test/w1 ") })
        let newLine = try #require(secondNote.split(separator: "\n").first { $0.hasPrefix("— witness.test/w1 ") })
        #expect(oldLine != newLine)
        let moved = try Self.replacingNote(second, with: secondNote.replacingOccurrences(of: newLine, with: oldLine), as: "moved.jsonl")
        let other = try await Self.verify(scenario, moved, ["--witness", witnesses[0].vkey, "--witness", witnesses[1].vkey])
        #expect(other.status == 76 && other.standardOutput.contains("1 valid cosignature"), "\(other.standardOutput)")
        #expect(try await Self.verify(scenario, second, ["--witness", witnesses[0].vkey, "--witness", witnesses[1].vkey,
                                                         "--previous-checkpoint", first]).status == 0, "the second extends the first, both witnessed")

        // A witness key not given: w2's cosignature does not count for a stranger's key.
        let stranger = try await WitnessProcess(name: "witness.test/w3", directory: server.directory)
        let unknown = try await Self.verify(scenario, second, ["--witness", witnesses[0].vkey, "--witness", stranger.vkey, "--quorum", "2"])
        #expect(unknown.status == 76, "\(unknown.standardOutput)")
        let malformed = try await Self.verify(scenario, second, ["--witness", "witness.test/w1+00000000+AAAA"])
        #expect(malformed.status == 64, "\(malformed.standardError)")

        // w2 down: writes go on at their pace; the checkpoint comes with w1's cosignature and w2's problem.
        await witnesses[1].stop()
        let started = Date()
        for index in 6..<10 { _ = try await scenario.invite(customer: "Customer \(index)") }
        #expect(Date().timeIntervalSince(started) < 10, "four invites with a witness down took \(Date().timeIntervalSince(started)) s")
        try await TestHTTP.with(caFile: server.caFile) { http in
            let before = Date()
            let answer = try #require(try await http.send("GET", server.url + "/v1/audit/checkpoint", token: auditor).json?.objectValue)
            #expect(Date().timeIntervalSince(before) < 5, "the checkpoint waits at most the witness timeout")
            let shown = answer["witnesses"]?.arrayValue?.compactMap(\.objectValue) ?? []
            #expect(shown.count == 2 && shown[1]["problem"]?.stringValue?.contains("could not be reached") == true, "\(answer)")
            #expect(answer["checkpoint"]?.stringValue?.contains("— witness.test/w1 ") == true)
            let metrics = try await http.text(server.url + "/metrics")
            #expect(metrics.contains(#"handoff_witness_cosigned_tree_size{witness="witness.test/w1"}"#), "\(metrics.prefix(400))")
        }
        // Back up (its own database kept): it catches up from the size it holds.
        try await witnesses[1].start(tls: tls, origin: "handoff-vault/test", logKey: server.serverKey, port: witnesses[1].port)
        _ = try await scenario.invite(customer: "Customer 10")
        let third = try await Self.export(scenario, auditor: auditor, to: "third.jsonl")
        let caughtUp = try await Self.verify(scenario, third, ["--witness", witnesses[0].vkey, "--witness", witnesses[1].vkey, "--quorum", "2"])
        #expect(caughtUp.status == 0, "\(caughtUp.standardOutput) \(caughtUp.standardError)")
    }

    @Test("A split view: the database rolled back and re-grown to the same size with other events; the witness refuses, the vault says so, audit verify reports the fork")
    func splitView() async throws {
        let (scenario, witnesses, _) = try await Self.witnessed(["witness.test/w1"])
        let server = scenario.server
        let auditor = try await scenario.token(role: "auditor")
        _ = try await scenario.invite(customer: "Before")
        // The vault's database as it was: stopped cleanly, copied.
        await server.stop()
        let saved = server.directory.appendingPathComponent("saved.sqlite")
        try Self.copyDatabase(server.databaseFile, to: saved)
        try await server.start(extraEnvironment: server.startedEnvironment)
        for index in 0..<3 { _ = try await scenario.invite(customer: "Honest \(index)") }
        let honest = try await Self.export(scenario, auditor: auditor, to: "honest.jsonl")
        let honestNote = try Self.checkpointNote(honest)
        #expect(honestNote.contains("— witness.test/w1 "), "the honest history is cosigned")
        let size = try #require(Int(honestNote.split(separator: "\n")[1]))

        // Rolled back, then re-grown with other events to exactly the size the witness cosigned.
        await server.stop()
        try Self.copyDatabase(saved, to: server.databaseFile)
        try await server.start(extraEnvironment: server.startedEnvironment)
        var grown = try #require(Int(try await server.sql("SELECT COUNT(*) FROM auditEvent")))
        var other = 0
        while grown < size {
            _ = try await scenario.invite(customer: "Other \(other)")
            other += 1
            grown = try #require(Int(try await server.sql("SELECT COUNT(*) FROM auditEvent")))
        }
        try #require(grown == size, "re-grown to \(grown) events, not \(size)")
        try await TestHTTP.with(caFile: server.caFile) { http in
            let answer = try #require(try await http.send("GET", server.url + "/v1/audit/checkpoint", token: auditor).json?.objectValue)
            let problem = answer["witnesses"]?.arrayValue?.first?.objectValue?["problem"]?.stringValue ?? ""
            #expect(problem.contains("fork") || problem.contains("rolled back"), "the vault reports the witness's refusal: \(answer)")
            #expect(answer["checkpoint"]?.stringValue?.contains("— witness.test/w1 ") == false, "no cosignature for the other history")
        }
        #expect(server.output().contains("a witness refuses this log's history"), "logged as an error")
        let forked = try await Self.export(scenario, auditor: auditor, to: "forked.jsonl")
        let verdict = try await Self.verify(scenario, forked, ["--previous-checkpoint", honest])
        #expect(verdict.status == 76 && verdict.standardOutput.contains("fork: two checkpoints of \(size) events"), "\(verdict.standardOutput)")
        #expect(try await Self.verify(scenario, forked, ["--witness", witnesses[0].vkey]).status == 76, "the other history carries no cosignature")
    }

}
