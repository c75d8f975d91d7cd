import Foundation
import HandoffDomain
import NIOHTTP1
import TestSupport
import Testing
import VaultCrypto

/// The review's findings (issue 13), each driven against the real binaries over real TLS.
@Suite("Security hardening")
struct SecurityHardeningTests {
    /// The sum of `count` over aggregated refusal events, and how many such events there are.
    static func refusalAudit(_ server: ServerHarness) async throws -> (events: Int, refused: Int) {
        let row = try await server.sql("""
            SELECT COUNT(*), COALESCE(SUM(json_extract(CAST(event AS TEXT), '$.count')), 0) FROM auditEvent
            WHERE json_extract(CAST(event AS TEXT), '$.action') = 'request.refused'
            """).split(separator: "|").map { Int($0) ?? -1 }
        return (row[0], row[1])
    }

    /// The refusal window for these tests: longer than any run, so that a slow machine (ASan, a
    /// busy CI) cannot see a window close mid-flood; shutdown audits the open one.
    static let longWindow = ["HANDOFF_REFUSAL_WINDOW": "1h"]

    @Test("300 anonymous requests: 429 after 10, a handful of audit events, another address served meanwhile")
    func refusalFlood() async throws {
        let scenario = try await Scenario(serverEnvironment: Self.longWindow)
        let server = scenario.server
        let invite = try await scenario.invite()
        try await TestHTTP.with(caFile: server.caFile) { http in
            let eventsBefore = Int(try await server.sql("SELECT COUNT(*) FROM auditEvent")) ?? -1
            var statuses: [Int: Int] = [:]
            var retryAfter: Set<String> = []
            for _ in 1...300 {
                let answer = try await http.send("GET", server.url + "/v1/handoffs")
                statuses[answer.status, default: 0] += 1
                if answer.status == 429 { retryAfter.insert(answer.headers.first(name: "Retry-After") ?? "") }
            }
            #expect(statuses == [401: 10, 429: 290], "\(statuses)")
            #expect(retryAfter.allSatisfy { (Int($0) ?? 0) >= 1 && (Int($0) ?? 9999) <= 3600 }, "\(retryAfter)")
            // A right credential from the flooding address learns nothing either; probes still answer.
            #expect(try await http.send("GET", server.url + "/v1/handoffs", token: server.adminToken).status == 429)
            #expect(try await http.send("GET", server.url + "/healthz").status == 200)
            // A customer on another loopback address is served normally.
            let other = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/curl"), [
                "-s", "-o", "/dev/null", "-w", "%{http_code}", "--interface", "127.0.0.2", "--cacert", server.caFile,
                "-H", "@" + (try Self.headerFile(server, token: try InviteCode(decoding: invite.code).token.withText { $0 })),
                server.url + "/v1/handoffs/\(invite.handoffId)",
            ])
            #expect(other.standardOutput == "200", "\(other.standardOutput) \(other.standardError)")
            // While the window is open nothing was written for the flood: no transaction per refusal.
            #expect(Int(try await server.sql("SELECT COUNT(*) FROM auditEvent")) == eventsBefore)
            await server.stop()
            let audit = try await Self.refusalAudit(server)
            #expect(audit.events == 1, "one event for the one flooding address")
            #expect(audit.refused == 301, "the event counts every refused request")
            let event = try await server.sql("SELECT CAST(event AS TEXT) FROM auditEvent WHERE CAST(event AS TEXT) LIKE '%request.refused%'")
            #expect(event.contains(#""remote":"127.0.0.1""#) && event.contains(#""count":301"#))
        }
    }

    /// An `Authorization` header in a file for curl, so that the token stays out of argv.
    static func headerFile(_ server: ServerHarness, token: String) throws -> String {
        let file = server.directory.appendingPathComponent("auth-\(UUID().uuidString.prefix(8)).txt")
        try Data("Authorization: Bearer \(token)\n".utf8).write(to: file)
        chmod(file.path, 0o600)
        return file.path
    }

    @Test("A valid generator token on admin routes is refused, then rate-limited, and audited aggregated with its id")
    func wrongRouteFlood() async throws {
        let scenario = try await Scenario(serverEnvironment: Self.longWindow)
        let server = scenario.server
        try await TestHTTP.with(caFile: server.caFile) { http in
            var statuses: [Int] = []
            for _ in 1...100 {
                statuses.append(try await http.send("POST", server.url + "/v1/tokens", token: scenario.generatorToken, body: ["role": "admin", "name": "x"]).status)
            }
            #expect(statuses.prefix(10).allSatisfy { $0 == 403 } && statuses.dropFirst(10).allSatisfy { $0 == 429 })
            await server.stop()
            let audit = try await Self.refusalAudit(server)
            #expect(audit.events == 1 && audit.refused == 100)
            let event = try await server.sql("SELECT CAST(event AS TEXT) FROM auditEvent WHERE CAST(event AS TEXT) LIKE '%request.refused%'")
            #expect(event.contains(#""role":"generator""#), "the refused caller's role and token id are on the event")
            #expect(try await server.sql("SELECT COUNT(*) FROM token WHERE role = 'admin'") == "1", "nothing was created")
        }
    }

    @Test("A handoff keeps at most max_submissions_per_handoff submissions; more get 429")
    func submissionCap() async throws {
        let scenario = try await Scenario(serverEnvironment: ["HANDOFF_MAX_SUBMISSIONS_PER_HANDOFF": "2"])
        let server = scenario.server
        let invite = try await scenario.invite()
        let values = Scenario.fixture("valid-minimal.json")
        for _ in 1...2 { #expect(try await server.handoff(["submit", "--values", values, "--invite-file", invite.file]).status == 0) }
        let third = try await server.handoff(["submit", "--values", values, "--invite-file", invite.file])
        #expect(third.status == 65, "\(third.standardError)")
        #expect(third.standardError.contains("the most it takes"))
        #expect(try await server.sql("SELECT COUNT(*) FROM submission") == "2")
    }

    @Test("An invite opens nothing after its expiry, acknowledged or not; an expiring role token likewise")
    func invitesExpire() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        // The shortest expiries (one minute), each checked valid right after it was made and the
        // invite used at once; the steps that need no expiring credential come after, inside the
        // wait. The test then lasts about as long as the expiry, not the expiry plus every step.
        let invite = try await scenario.invite(expires: "1m")
        let inviteExpired = ContinuousClock.now + .seconds(62)
        #expect(try await server.handoff(["status", "--invite-file", invite.file]).status == 0)
        let values = Scenario.fixture("valid-minimal.json")
        #expect(try await server.handoff(["submit", "--values", values, "--invite-file", invite.file]).status == 0)
        let created = try await server.handoff(["admin", "token", "create", "--role", "auditor", "--name", "short", "--expires", "1m", "--json"], token: server.adminToken)
        let tokenExpired = ContinuousClock.now + .seconds(62)
        let auditor = try #require(try JSONParser.parse(created.standardOutput).objectValue?["token"]?.stringValue)
        #expect(try JSONParser.parse(created.standardOutput).objectValue?["expiresAt"]?.stringValue != nil)
        #expect(try await server.handoff(["audit", "export", "--out", server.directory.appendingPathComponent("a.jsonl").path], token: auditor).status == 0)
        let pulled = server.directory.appendingPathComponent("pulled")
        #expect(try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", pulled.path], token: scenario.generatorToken).status == 0)
        #expect(try await server.handoff(["ack", invite.handoffId], token: scenario.generatorToken).status == 0)

        try await Task.sleep(until: max(inviteExpired, tokenExpired))
        let status = try await server.handoff(["status", "--invite-file", invite.file])
        #expect(status.status == 77, "\(status.standardError)")
        let submit = try await server.handoff(["submit", "--values", values, "--invite-file", invite.file])
        #expect(submit.status == 77, "\(submit.standardError)")
        #expect(try await server.sql("SELECT COUNT(*) FROM submission") == "1")
        #expect(try await server.sql("SELECT state FROM handoff") == "acknowledged", "the real data is not turned into an expired handoff")
        #expect(try await server.handoff(["audit", "export", "--out", server.directory.appendingPathComponent("b.jsonl").path], token: auditor).status == 77)
    }

    @Test("pull refuses a server-given id that is not a lowercase UUID and writes nothing")
    func pullRefusesPathIds() async throws {
        let scenario = try await Scenario()
        let work = scenario.server.directory
        let hostile = try await Self.hostileVault(scenario, mode: "path-id")
        defer { hostile.process.terminate() }
        let out = work.appendingPathComponent("t1/t2/out")
        let pull = try await scenario.server.handoff(["pull", "--key", scenario.generatorKey, "--out", out.path, "--server", hostile.url],
                                               token: scenario.generatorToken, extra: ["HANDOFF_CA_FILE": hostile.caFile])
        #expect(pull.status == 76, "\(pull.standardError)")
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("t1/evil.json").path))
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("evil.json").path))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []).isEmpty)
    }

    @Test("Server text printed to a terminal has its control characters escaped")
    func escapesServerText() async throws {
        let scenario = try await Scenario()
        let hostile = try await Self.hostileVault(scenario, mode: "hostile-name")
        defer { hostile.process.terminate() }
        let out = scenario.server.directory.appendingPathComponent("pulled")
        let pull = try await scenario.server.handoff(["pull", "--key", scenario.generatorKey, "--out", out.path, "--server", hostile.url],
                                               token: scenario.generatorToken, extra: ["HANDOFF_CA_FILE": hostile.caFile])
        #expect(pull.status == 0, "\(pull.standardError)")
        let printed = pull.standardOutput + pull.standardError
        #expect(!printed.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
        #expect(printed.contains(#"\u{1b}]0;pwned\u{7}\u{1b}[2JContoso\u{9b}31m"#), "\(printed)")
    }

    struct Hostile {
        let process: InteractiveProcess
        let caFile: String
        let url: String
    }

    static func hostileVault(_ scenario: Scenario, mode: String) async throws -> Hostile {
        let pub = scenario.keyDirectory.appendingPathComponent("generator.pub").path
        let keyId = try #require(try await scenario.server.sql("SELECT id FROM recipientKey WHERE active = 1").split(separator: "\n").first.map(String.init))
        let process = try ProcessRunner.startPython([
            TestPaths.repository.appendingPathComponent("Tests/Tools/hostile_vault.py").path, scenario.server.directory.path, mode, pub, keyId,
            Scenario.fixture("valid-minimal.json"),
        ])
        let caFile = await process.readLine()
        let url = await process.readLine()
        guard url.hasPrefix("https://") else { throw HarnessError("hostile_vault.py did not start: \(caFile) \(url)") }
        return Hostile(process: process, caFile: caFile, url: url)
    }

    @Test("pull refuses an output folder that group or others can write, and writes nothing there")
    func looseOutputFolder() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let invite = try await scenario.invite()
        #expect(try await server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file]).status == 0)
        let out = server.directory.appendingPathComponent("shared-out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        chmod(out.path, 0o777)
        let pull = try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", out.path], token: scenario.generatorToken)
        #expect(pull.status == 73, "\(pull.standardError)")
        #expect(pull.standardError.contains("can be written by group or others"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
        chmod(out.path, 0o700)
        let again = try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", out.path], token: scenario.generatorToken)
        #expect(again.status == 0, "\(again.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["\(invite.handoffId).json", "\(invite.handoffId).submission", "\(invite.handoffId).tenant-proof.json"],
                "the values and the submission they came from; no temporary file is left")
    }

    @Test("Invite commands use the invite's server, not HANDOFF_SERVER; an https:// proxy is refused plainly")
    func inviteServerAndProxy() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let invite = try await scenario.invite()
        let elsewhere = try await server.handoff(["status", "--invite-file", invite.file], extra: ["HANDOFF_SERVER": "https://127.0.0.1:9"])
        #expect(elsewhere.status == 0, "\(elsewhere.standardError)")
        let proxied = try await server.handoff(["status", "--invite-file", invite.file], extra: ["HTTPS_PROXY": "https://127.0.0.1:3128"])
        #expect(proxied.status == 64)
        #expect(proxied.standardError.contains("https:// proxy"))
    }

    @Test("Admins list and revoke tokens and handoffs from the CLI; actions name their target; the last admin token stays")
    func adminActions() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let invite = try await scenario.invite()
        let list = try await server.handoff(["admin", "token", "list", "--json"], token: server.adminToken)
        #expect(list.status == 0, "\(list.standardError)")
        #expect(!list.standardOutput.contains("hv_"), "no token value is ever listed")
        let tokens = try #require(try JSONParser.parse(list.standardOutput).objectValue?["tokens"]?.arrayValue)
        #expect(Set(tokens.compactMap { $0.objectValue?["role"]?.stringValue }) == ["admin", "generator"])
        let generatorId = try #require(tokens.first { $0.objectValue?["role"] == "generator" }?.objectValue?["id"]?.stringValue)
        let adminId = try #require(tokens.first { $0.objectValue?["role"] == "admin" }?.objectValue?["id"]?.stringValue)

        #expect(try await server.handoff(["admin", "token", "revoke", generatorId], token: server.adminToken).status == 0)
        #expect(try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", server.directory.appendingPathComponent("p").path], token: scenario.generatorToken).status == 77)
        let last = try await server.handoff(["admin", "token", "revoke", adminId], token: server.adminToken)
        #expect(last.status != 0)
        #expect(last.standardError.contains("last active admin token"))
        #expect(try await server.sql("SELECT COUNT(*) FROM token WHERE id = '\(adminId)' AND revokedAt IS NULL") == "1")

        #expect(try await server.handoff(["admin", "revoke", invite.handoffId], token: server.adminToken).status == 0)
        #expect(try await server.handoff(["status", "--invite-file", invite.file]).status == 77)

        let events = try await server.sql("SELECT CAST(event AS TEXT) FROM auditEvent ORDER BY id").split(separator: "\n")
        let created = try #require(events.first { $0.contains("token.created") })
        #expect(created.contains(#""target":{"role":"generator","tokenId":"\#(generatorId)"}"#), "\(created)")
        #expect(events.contains { $0.contains("token.revoked") && $0.contains(#""tokenId":"\#(generatorId)""#) })
        #expect(events.contains { $0.contains("recipient.set") && $0.contains(#""recipientKeyId":"rk_"#) })
    }

    @Test("Purged and revoked data leaves no bytes in the WAL or the database file")
    func purgeTruncatesWAL() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let invite = try await scenario.invite()
        #expect(try await server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file]).status == 0)
        let ciphertext = try await server.sql("SELECT hex(ciphertext) FROM submission")
        let bytes = try #require(Self.bytes(hex: String(ciphertext.prefix(64))))
        #expect(try await server.handoff(["admin", "revoke", invite.handoffId], token: server.adminToken).status == 0)
        let wal = server.dataDir.appendingPathComponent("vault.sqlite-wal")
        let walBytes = (try? Data(contentsOf: wal)) ?? Data()
        #expect(walBytes.range(of: Data(bytes)) == nil, "the WAL (\(walBytes.count) bytes) still holds the ciphertext")
        #expect(try Data(contentsOf: server.databaseFile).range(of: Data(bytes)) == nil)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        return stride(from: 0, to: digits.count, by: 2).compactMap { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16) }
    }

    @Test("Customers get proofs only for their own submission.received events, and refusals say nothing of the tree")
    func customerProofs() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let invite = try await scenario.invite()
        let token = try InviteCode(decoding: invite.code).token.withText { $0 }
        #expect(try await server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file]).status == 0)
        #expect(try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", server.directory.appendingPathComponent("p").path], token: scenario.generatorToken).status == 0)
        let received = try #require(Int(try await server.sql("SELECT id FROM auditEvent WHERE CAST(event AS TEXT) LIKE '%submission.received%'")))
        let released = try #require(Int(try await server.sql("SELECT id FROM auditEvent WHERE CAST(event AS TEXT) LIKE '%submission.released%'")))
        let size = try #require(Int(try await server.sql("SELECT COUNT(*) FROM auditEvent")))
        try await TestHTTP.with(caFile: server.caFile) { http in
            func proof(_ index: Int, _ size: Int) async throws -> (status: Int, json: JSONValue?, headers: HTTPHeaders) {
                try await http.send("GET", server.url + "/v1/audit/proof/inclusion?index=\(index)&size=\(size)", token: token)
            }
            #expect(try await proof(received, size).status == 200)
            let generatorEvent = try await proof(released, size)
            #expect(generatorEvent.status == 404, "the generator's event of the same handoff carries its address and token id")
            let beyond = try await proof(size + 5, size + 10)
            #expect(beyond.status == 404)
            let detail = beyond.json?.objectValue?["detail"]?.stringValue ?? ""
            #expect(!detail.contains(String(size)), "\(detail)")
        }
    }

    @Test("An interrupted rotation is settled from whichever key file opens the database")
    func rotationKeepsEveryNeededKey() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let invite = try await scenario.invite()
        #expect(try await server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file]).status == 0)
        await server.stop()
        let directory = server.dataDir
        let keyFile = directory.appendingPathComponent("master.key")
        let oldKey = try Data(contentsOf: keyFile)
        // Crash after the commit, between moving master.key aside and moving the new key in.
        #expect(try await ProcessRunner.run(TestPaths.product("handoffd"), ["rotate-master-key", "--data-dir", directory.path]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("master.key.prev").path), "removed once confirmed")
        try FileManager.default.moveItem(at: keyFile, to: directory.appendingPathComponent("master.key.next"))
        try oldKey.write(to: directory.appendingPathComponent("master.key.prev"))
        chmod(directory.appendingPathComponent("master.key.prev").path, 0o600)
        let again = try ServerHarness(existingDataDir: directory, adminToken: server.adminToken, serverKey: server.serverKey, caFile: server.caFile)
        try await again.start()
        #expect(try String(contentsOf: keyFile, encoding: .utf8).hasPrefix("v2:"))
        for leftover in ["master.key.next", "master.key.prev"] {
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(leftover).path), "\(leftover)")
        }
        let pull = try await again.handoff(["pull", "--key", scenario.generatorKey, "--out", again.directory.appendingPathComponent("p").path], token: scenario.generatorToken)
        #expect(pull.status == 0, "\(pull.standardError)")
        await again.stop()
        // A rotation that never committed leaves a new key the database does not need: dropped.
        try Data("v3:".utf8 + Data(Base64.encode(try RandomBytes.generate(count: 32)).utf8) + Data("\n".utf8))
            .write(to: directory.appendingPathComponent("master.key.next"))
        chmod(directory.appendingPathComponent("master.key.next").path, 0o600)
        let third = try ServerHarness(existingDataDir: directory, adminToken: server.adminToken, serverKey: server.serverKey, caFile: server.caFile)
        try await third.start()
        #expect(try String(contentsOf: keyFile, encoding: .utf8).hasPrefix("v2:"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("master.key.next").path))
    }
}
