import Foundation
import NIOHTTP1
import HandoffDomain
import TestSupport
import Testing

/// What an operator relies on: configuration precedence, metrics, logs, the drain on SIGTERM,
/// installation, and the CLI through an HTTPS proxy.
@Suite("Operability", .serialized)
struct OperabilityTests {
    static let handoffd = TestPaths.product("handoffd")

    @Test("Configuration: flags beat HANDOFF_* which beat the file which beats the defaults; bad input exits 78")
    func configurationPrecedence() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("handoffd.yaml")
        try Data("host: 10.9.9.9\nport: 1111\ncheckpoint_interval: 7\nlog_format: text\n".utf8).write(to: file)
        var environment = ProcessInfo.processInfo.environment
        environment["HANDOFF_PORT"] = "2222"
        environment["HANDOFF_MASTER_KEY"] = "c2VjcmV0LW1hc3Rlci1rZXktdGhhdC1tdXN0LW5vdC1wcmludA=="
        let result = try await ProcessRunner.run(Self.handoffd, ["config", "check", "--config", file.path, "--host", "127.0.0.2", "--json"], environment: environment)
        try #require(result.status == 0, "\(result.standardError)")
        let effective = try #require(try JSONParser.parse(result.standardOutput).objectValue)
        #expect(effective["host"] == "127.0.0.2", "the flag wins")
        #expect(effective["port"] == "2222", "the environment beats the file")
        #expect(effective["checkpoint_interval"] == "7", "the file beats the default")
        #expect(effective["log_format"] == "text")
        #expect(effective["drain_grace_ms"] == "1000", "the default")
        #expect(effective["master_key"]?.stringValue?.contains("masked") == true)
        #expect(!result.standardOutput.contains("c2VjcmV0"))

        try Data("host: 127.0.0.1\nprot: 8443\n".utf8).write(to: file)
        let unknown = try await ProcessRunner.run(Self.handoffd, ["config", "check", "--config", file.path])
        #expect(unknown.status == 78)
        #expect(unknown.standardError.contains("unknown setting prot"))
        environment["HANDOFF_PORT"] = "eighty"
        let bad = try await ProcessRunner.run(Self.handoffd, ["config", "check"], environment: environment)
        #expect(bad.status == 78)
        #expect(bad.standardError.contains("HANDOFF_PORT: port must be a number"))
    }

    @Test("A database password never goes on a command line: --database-url with one is refused (64) without repeating it; the environment's is masked")
    func databasePasswordStaysOffTheCommandLine() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = "postgres://vault:Pa55word-not-for-argv@db.internal:5432/vault"
        for arguments in [
            ["serve"], ["init"], ["config", "check"], ["purge", "--now"], ["rotate-master-key"], ["backup", "--out", directory.appendingPathComponent("b").path],
        ] {
            let result = try await ProcessRunner.run(Self.handoffd, arguments + ["--data-dir", directory.appendingPathComponent("data").path, "--database-url", url])
            #expect(result.status == 64, "\(arguments): \(result.status) \(result.standardError)")
            #expect(result.standardError.contains("must not carry a password"), "\(arguments)")
            #expect(!(result.standardOutput + result.standardError).contains("Pa55word"), "\(arguments) repeated the password")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["HANDOFF_DATABASE_URL"] = url
        let check = try await ProcessRunner.run(Self.handoffd, ["config", "check", "--json"], environment: environment)
        try #require(check.status == 0, "\(check.standardError)")
        #expect(try JSONParser.parse(check.standardOutput).objectValue?["database_url"] == "postgres://vault:***@db.internal:5432/vault?sslmode=require")
        #expect(!check.standardOutput.contains("Pa55word"))
    }

    @Test("A config file or URL file that holds a database password must be private to its owner; the refusal never shows the password")
    func configFileWithPasswordMustBePrivate() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("handoffd.yaml")
        try Data("database_url: postgres://vault:Pa55word-in-file@db.internal:5432/vault\n".utf8).write(to: file)
        let data = directory.appendingPathComponent("data").path
        for mode: mode_t in [0o644, 0o640, 0o604] {
            chmod(file.path, mode)
            for arguments in [["config", "check"], ["serve"], ["purge", "--now"]] {
                let result = try await ProcessRunner.run(Self.handoffd, arguments + ["--config", file.path, "--data-dir", data])
                #expect(result.status == 78, "\(arguments) with mode \(String(mode, radix: 8)): \(result.status) \(result.standardError)")
                #expect(result.standardError.contains("holds a database password"), "\(arguments)")
                #expect(result.standardError.contains("LoadCredential="), "\(arguments) does not say how to keep it out")
                #expect(!(result.standardOutput + result.standardError).contains("Pa55word"), "\(arguments) repeated the password")
            }
        }
        chmod(file.path, 0o600)
        let privateFile = try await ProcessRunner.run(Self.handoffd, ["config", "check", "--config", file.path, "--data-dir", data, "--json"])
        #expect(privateFile.status == 0, "\(privateFile.standardError)")
        // Without a password the file may be world-readable, as before.
        try Data("database_url: postgres://vault@db.internal:5432/vault\n".utf8).write(to: file)
        chmod(file.path, 0o644)
        #expect(try await ProcessRunner.run(Self.handoffd, ["config", "check", "--config", file.path, "--data-dir", data]).status == 0)

        // The URL from a file of its own (systemd's LoadCredential=), held to the same rule.
        let credential = directory.appendingPathComponent("database_url")
        try Data("postgres://vault:Pa55word-in-credential@db.internal:5432/vault\n".utf8).write(to: credential)
        chmod(credential.path, 0o644)
        var environment = ProcessInfo.processInfo.environment
        environment["HANDOFF_DATABASE_URL_FILE"] = credential.path
        let open = try await ProcessRunner.run(Self.handoffd, ["config", "check", "--data-dir", data], environment: environment)
        #expect(open.status == 78)
        #expect(!(open.standardOutput + open.standardError).contains("Pa55word"))
        chmod(credential.path, 0o400)
        let fromFile = try await ProcessRunner.run(Self.handoffd, ["config", "check", "--data-dir", data, "--json"], environment: environment)
        try #require(fromFile.status == 0, "\(fromFile.standardError)")
        #expect(try JSONParser.parse(fromFile.standardOutput).objectValue?["database_url"] == "postgres://vault:***@db.internal:5432/vault?sslmode=require")
    }

    @Test("A failed init leaves nothing behind: the same init run again gets as far as before, not 'File exists'")
    func failedInitCleansUp() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        var environment = ProcessInfo.processInfo.environment
        // Nothing listens on port 1: the database step fails after the master key was written.
        environment["HANDOFF_DATABASE_URL"] = "postgres://vault@127.0.0.1:1/vault"
        let first = try await ProcessRunner.run(Self.handoffd, ["init", "--data-dir", data], environment: environment)
        #expect(first.status != 0)
        #expect(!FileManager.default.fileExists(atPath: data + "/master.key"), "the failed init left master.key")
        let second = try await ProcessRunner.run(Self.handoffd, ["init", "--data-dir", data], environment: environment)
        #expect(second.status == first.status, "\(second.standardError)")
        #expect(!second.standardError.contains("File exists"), "\(second.standardError)")
        // And once the database is right, init succeeds in the same folder.
        environment["HANDOFF_DATABASE_URL"] = nil
        let third = try await ProcessRunner.run(Self.handoffd, ["init", "--data-dir", data], environment: environment)
        #expect(third.status == 0, "\(third.standardError)")
    }

    @Test("/metrics answers loopback with the documented names; logs are JSON lines with a request id")
    func metricsAndLogs() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let invite = try await scenario.invite()
        #expect(try await server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file]).status == 0)
        #expect(try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", server.directory.appendingPathComponent("p").path], token: scenario.generatorToken).status == 0)
        try await TestHTTP.with(caFile: server.caFile) { http in
            _ = try await http.send("GET", server.url + "/v1/handoffs", token: "nonsense")
            let metrics = try await http.send("GET", server.url + "/metrics")
            #expect(metrics.status == 200)
            let text = try await http.text(server.url + "/metrics")
            for name in ["handoff_http_requests_total{", "handoff_http_request_duration_seconds_bucket{", "handoff_submissions_total 1",
                         "handoff_releases_total 1", "handoff_refused_requests_total", "handoff_audit_tree_size", "handoff_database_bytes"] {
                #expect(text.contains(name), "\(name)")
            }
            #expect(text.contains(#"route="/v1/handoffs/{id}/submissions""#), "routes are labelled by their pattern, as the OpenAPI document writes it")
            #expect(!text.contains(invite.handoffId), "ids stay out of metric labels")
            #expect(!text.contains(server.adminToken) && !text.contains(scenario.generatorToken))

            let lines = (try String(contentsOf: server.errorFile, encoding: .utf8)).split(separator: "\n")
            let requestLines = lines.compactMap { try? JSONParser.parse(String($0)).objectValue }.filter { $0["message"]?.stringValue?.hasPrefix("GET /metrics") == true }
            let line = try #require(requestLines.first)
            #expect(line["hb.request.id"]?.stringValue?.isEmpty == false)
            #expect(line["level"] == "info")
            #expect(lines.allSatisfy { (try? JSONParser.parse(String($0))) != nil }, "every log line is one JSON object")
            let header = try await http.send("GET", server.url + "/healthz")
            #expect(header.headers.first(name: "X-Request-Id")?.isEmpty == false)
        }
    }

    @Test("SIGTERM: /readyz turns 503 first, the request in flight completes, the database closes cleanly")
    func drain() async throws {
        let scenario = try await Scenario(serverEnvironment: ["HANDOFF_DRAIN_GRACE_MS": "1500"])
        let server = scenario.server
        let invite = try await scenario.invite()
        let token = try InviteCode(decoding: invite.code).token.withText { $0 }
        let port = try #require(server.url.split(separator: ":").last.map(String.init))
        // A client that sends a submission's headers, waits until told, then sends the body.
        let client = try ProcessRunner.startPython(["-c", """
            import socket, ssl, sys, time
            port, ca, token, path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
            context = ssl.create_default_context(cafile=ca)
            body = b'{"sealed":"AAAA","recipientKeyId":"rk_0000000000000000"}'
            with socket.create_connection(("127.0.0.1", port)) as raw, context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                tls.sendall(("POST /v1/handoffs/%s/submissions HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nAuthorization: Bearer %s\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n" % (path, token, len(body))).encode())
                print("headers sent", flush=True)
                sys.stdin.readline()
                tls.sendall(body)
                print(tls.recv(4096).split(b"\\r\\n", 1)[0].decode(), flush=True)
            """, port, server.caFile, token, invite.handoffId])
        await _ = client.readLine()
        server.signal(SIGTERM)
        try await Task.sleep(for: .milliseconds(300))
        let ready = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", server.caFile, server.url + "/readyz"])
        #expect(ready.standardOutput == "503", "readyz turns false before the server stops accepting")
        client.write("go\n")
        let answer = await client.readLine()
        #expect(answer.hasPrefix("HTTP/1.1 "), "the request in flight got an answer: \(answer)")
        #expect(await server.waitForExit() == 0)
        // Closed, not abandoned: the write-ahead log was folded into the file.
        let log = (try? FileManager.default.attributesOfItem(atPath: server.databaseFile.path + "-wal")[.size] as? Int) ?? 0
        #expect(log == 0, "the write-ahead log holds \(log) bytes after exit")
        #expect(try await server.sql("PRAGMA integrity_check") == "ok")
        #expect(server.output().contains("signed checkpoint at shutdown"))
    }

    @Test("The CLI goes through HTTPS_PROXY with CONNECT, and around it for NO_PROXY hosts")
    func proxy() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let invite = try await scenario.invite()
        let log = server.directory.appendingPathComponent("proxy.log")
        let proxy = try ProcessRunner.startPython([TestPaths.repository.appendingPathComponent("Tests/Tools/connect_proxy.py").path, log.path])
        defer { proxy.terminate() }
        let proxyPort = await proxy.readLine().trimmingCharacters(in: .whitespacesAndNewlines)
        let serverPort = try #require(server.url.split(separator: ":").last.map(String.init))
        let through = try await server.handoff(["status", "--invite-file", invite.file], extra: ["HTTPS_PROXY": "http://127.0.0.1:\(proxyPort)"])
        #expect(through.status == 0, "\(through.standardError)")
        let tunnels = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(tunnels.contains("127.0.0.1:\(serverPort)"))
        let count = tunnels.split(separator: "\n").count
        let around = try await server.handoff(["status", "--invite-file", invite.file], extra: ["HTTPS_PROXY": "http://127.0.0.1:\(proxyPort)", "NO_PROXY": "localhost,127.0.0.1"])
        #expect(around.status == 0)
        #expect(((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").count == count, "NO_PROXY bypassed the proxy")
    }

    @Test("Installation puts both binaries, a hardened unit and completions under PREFIX")
    func install() async throws {
        let prefix = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: prefix) }
        let result = try await ProcessRunner.run(URL(fileURLWithPath: "/bin/bash"), [
            TestPaths.repository.appendingPathComponent("scripts/install.sh").path, prefix.path, TestPaths.products.path,
        ])
        try #require(result.status == 0, "\(result.standardError)")
        let unit = try String(contentsOf: prefix.appendingPathComponent("lib/systemd/system/handoffd.service"), encoding: .utf8)
        for directive in ["ProtectSystem=strict", "NoNewPrivileges=yes", "StateDirectory=handoffd", "DynamicUser=yes", "ExecStart=\(prefix.path)/bin/handoffd serve"] {
            #expect(unit.contains(directive), "\(directive)")
        }
        for file in ["bin/handoff", "bin/handoffd", "share/bash-completion/completions/handoff", "share/zsh/site-functions/_handoff",
                     "share/fish/vendor_completions.d/handoffd.fish"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: prefix.appendingPathComponent(file).path)[.size] as? Int) ?? 0
            #expect(size > 100, "\(file)")
        }
        let bash = try String(contentsOf: prefix.appendingPathComponent("share/bash-completion/completions/handoff"), encoding: .utf8)
        #expect(bash.contains("submit") && bash.contains("audit"))
        let installed = try await ProcessRunner.run(prefix.appendingPathComponent("bin/handoffd"), ["--version"])
        #expect(installed.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == HandoffVaultVersion.current)
    }
}
