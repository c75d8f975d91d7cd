import Foundation
import HandoffDomain
import TestSupport
import Testing

/// The audit log through the real binaries: export, offline verification (ours and an independent
/// Python one), and tampering done directly in the SQLite file.
@Suite("Verifiable audit log", .serialized)
struct AuditLogTests {
    static let pythonVerifier = TestPaths.repository.appendingPathComponent("scripts/audit/verify_export.py").path

    /// A server with a few handoffs' worth of events and an auditor token.
    struct Log {
        let scenario: Scenario
        let auditor: String
        var server: ServerHarness { scenario.server }

        init() async throws {
            // A checkpoint after every event, so that earlier checkpoints exist for every size.
            scenario = try await Scenario(serverEnvironment: ["HANDOFF_CHECKPOINT_INTERVAL": "1"])
            auditor = try await scenario.token(role: "auditor")
            for customer in ["A", "B", "C"] {
                let invite = try await scenario.invite(customer: customer)
                let submitted = try await scenario.server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file])
                guard submitted.status == 0 else { throw HarnessError("submit: \(submitted.standardError)") }
            }
        }

        func export(_ name: String) async throws -> String {
            let path = server.directory.appendingPathComponent(name).path
            let result = try await server.handoff(["audit", "export", "--out", path], token: auditor)
            guard result.status == 0 else { throw HarnessError("export: \(result.standardError)") }
            return path
        }

        func verify(_ path: String, previous: [String] = []) async throws -> ProcessResult {
            try await server.handoff(["audit", "verify", "--file", path, "--public-key", server.serverKey, "--json"] + previous.flatMap { ["--previous-checkpoint", $0] })
        }

        static func failure(_ result: ProcessResult) -> (index: Int64?, reason: String) {
            let object = try? JSONParser.parse(result.standardOutput).objectValue
            return (object?["index"]?.integerValue, object?["reason"]?.stringValue ?? result.standardError)
        }
    }

    @Test("An export verifies offline with the CLI and with the independent Python verifier")
    func exportVerifies() async throws {
        let log = try await Log()
        let path = try await log.export("audit.jsonl")
        let verified = try await log.verify(path)
        #expect(verified.status == 0, "\(verified.standardOutput)\(verified.standardError)")
        let size = try #require(try JSONParser.parse(verified.standardOutput).objectValue?["treeSize"]?.integerValue)
        #expect(size == Int64(try await log.server.sql("SELECT COUNT(*) FROM auditEvent")))
        let python = try await ProcessRunner.python([Self.pythonVerifier, path, log.server.serverKey])
        #expect(python.status == 0, "\(python.standardOutput)\(python.standardError)")
        #expect(python.standardOutput.hasPrefix("ok: \(size) events"))
        let otherKey = try await ServerHarness().serverKey
        let wrongKey = try await log.server.handoff(["audit", "verify", "--file", path, "--public-key", otherKey])
        #expect(wrongKey.status == 76)
        // The generator and customers cannot read the log.
        #expect(try await log.server.handoff(["audit", "export"], token: log.scenario.generatorToken).status == 77)
    }

    @Test("Deleting, reordering or inserting an event in the SQLite file fails verification at its index", arguments: ["delete", "reorder", "insert"])
    func structuralTamper(kind: String) async throws {
        let log = try await Log()
        let k = 5
        switch kind {
        case "delete":
            _ = try await log.server.sql("DELETE FROM auditEvent WHERE id = \(k)")
        case "reorder":
            _ = try await log.server.sql("UPDATE auditEvent SET id = -1 WHERE id = \(k)")
            _ = try await log.server.sql("UPDATE auditEvent SET id = \(k) WHERE id = \(k + 1)")
            _ = try await log.server.sql("UPDATE auditEvent SET id = \(k + 1) WHERE id = -1")
        default:
            // Shift the later events up by one and put a forged event, claiming index k, in the gap.
            _ = try await log.server.sql("UPDATE auditEvent SET id = -(id + 1) WHERE id >= \(k)")
            _ = try await log.server.sql("UPDATE auditEvent SET id = -id WHERE id < 0")
            let forged = #"{"action":"handoff.acknowledged","actor":{"id":"-","role":"admin"},"index":5,"outcome":"success","remote":"127.0.0.1","requestId":"x","time":"2026-11-26T12:00:00Z"}"#
            _ = try await log.server.sql("INSERT INTO auditEvent (id, event, leafHash) VALUES (\(k), CAST('\(forged)' AS BLOB), X'00')")
        }
        let path = try await log.export("tampered.jsonl")
        let result = try await log.verify(path)
        #expect(result.status == 76)
        let failure = Log.failure(result)
        // An inserted event that claims index k passes its own line; the displaced original is next.
        #expect(failure.index == Int64(kind == "insert" ? k + 1 : k), "\(failure)")
        let python = try await ProcessRunner.python([Self.pythonVerifier, path, log.server.serverKey])
        #expect(python.status == 1)
    }

    @Test("A changed event is located with the checkpoints an auditor kept; the customer's status notices it too")
    func changedEvent() async throws {
        let log = try await Log()
        // The checkpoints an auditor polling after every event would have kept (the server signed
        // one per event); written to files as the auditor would hold them.
        var kept: [String] = []
        for size in try await log.server.sql("SELECT treeSize FROM checkpoint ORDER BY treeSize").split(separator: "\n") {
            let file = log.server.directory.appendingPathComponent("kept-\(size)")
            try Data((try await log.server.sql("SELECT note FROM checkpoint WHERE treeSize = \(size)") + "\n").utf8).write(to: file)
            kept.append(file.path)
        }
        #expect(kept.count >= 5)
        let target = try #require(Int(try await log.server.sql("SELECT id FROM auditEvent WHERE CAST(event AS TEXT) LIKE '%submission.received%' ORDER BY id LIMIT 1")))
        _ = try await log.server.sql("UPDATE auditEvent SET event = CAST(REPLACE(CAST(event AS TEXT), '\"customer\"', '\"admin\"') AS BLOB) WHERE id = \(target)")
        let path = try await log.export("changed.jsonl")
        let alone = try await log.verify(path)
        #expect(alone.status == 76)
        #expect(Log.failure(alone).reason.contains("do not hash to the signed root"))
        let located = try await log.verify(path, previous: kept)
        #expect(located.status == 76)
        #expect(Log.failure(located).index == Int64(target), "\(Log.failure(located))")
        let event = try await log.server.sql("SELECT CAST(event AS TEXT) FROM auditEvent WHERE id = \(target)")
        let handoffId = try #require(try JSONParser.parse(event).objectValue?["handoffId"]?.stringValue)
        let invite = log.server.directory.appendingPathComponent("invite-\(handoffId).txt").path
        let status = try await log.server.handoff(["status", "--invite-file", invite])
        #expect(status.status == 76, "\(status.standardError)")
    }

    @Test("A rewritten history of the same size, re-signed by the server, is caught by an older checkpoint")
    func rewrittenHistory() async throws {
        let log = try await Log()
        let before = try await log.export("before.jsonl")
        #expect(try await log.verify(before).status == 0)
        // Rewrite event 2 and rebuild the tree so that the server signs the forged history.
        _ = try await log.server.sql("UPDATE auditEvent SET event = CAST(REPLACE(CAST(event AS TEXT), '\"success\"', '\"denied\"') AS BLOB) WHERE id = 2")
        let rebuild = try await ProcessRunner.python(["-c", """
            import sqlite3, sys, hashlib
            db = sqlite3.connect(sys.argv[1])
            events = [bytes(r[0]) for r in db.execute("SELECT event FROM auditEvent ORDER BY id")]
            db.execute("DELETE FROM merkleNode"); db.execute("DELETE FROM checkpoint")
            level = [hashlib.sha256(b"\\x00" + e).digest() for e in events]
            depth = 0
            while level:
                for i, h in enumerate(level):
                    db.execute("INSERT INTO merkleNode (level, idx, hash) VALUES (?, ?, ?)", (depth, i, h))
                level = [hashlib.sha256(b"\\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
                depth += 1
            db.commit()
            """, log.server.databaseFile.path])
        try #require(rebuild.status == 0, "\(rebuild.standardError)")
        let after = try await log.export("after.jsonl")
        #expect(try await log.verify(after).status == 0, "alone, the re-signed rewrite verifies")
        let caught = try await log.verify(after, previous: [before])
        #expect(caught.status == 76)
        #expect(Log.failure(caught).reason.contains("fork: two checkpoints of"), "a re-signed rewrite of the same size is a fork: \(Log.failure(caught).reason)")
    }
}

