import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultClient
@testable import HandoffCLI

/// The CLI as a customer's Entra admin meets it: forgiving of what copy and paste adds, plain about
/// failures (the URL, whether anything was sent, what to do), and never echoing a token.
@Suite("The customer admin's language")
struct CustomerLanguageTests {
    /// Words that must never reach a person: library type names, errno values, status numbers.
    static let jargon = ["Error", "errno", "NIO", "HTTPClient", "Cocoa", "401", "403", "404", "429", "500", "503", "bearer", "Bearer"]

    /// Whether `text` is free of jargon once the URLs it names are left out (a port number such
    /// as 44293 is part of a URL, not a status).
    static func plain(_ text: String) -> Bool {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).filter { !$0.hasPrefix("https://") && !$0.hasPrefix("http://") }
        let prose = words.joined(separator: " ")
        return !jargon.contains { prose.contains($0) }
    }

    @Test("An admin token file saved with CRLF works; a broken one is refused without being echoed")
    func tokenFiles() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let crlf = server.directory.appendingPathComponent("admin-crlf.token")
        try Data(("\u{FEFF}" + server.adminToken + "\r\n").utf8).write(to: crlf)
        let invite = try await server.handoff(["admin", "invite", "--customer", "Contoso", "--token-file", crlf.path])
        #expect(invite.status == 0, "\(invite.standardError)")
        let broken = server.directory.appendingPathComponent("admin-broken.token")
        try Data((server.adminToken + "\u{7}extra\r\n").utf8).write(to: broken)
        let refused = try await server.handoff(["admin", "invite", "--customer", "Contoso", "--token-file", broken.path])
        #expect(refused.status == 64)
        #expect(!refused.standardError.contains(server.adminToken) && !refused.standardOutput.contains(server.adminToken))
        #expect(refused.standardError.contains("does not hold a Handoff Vault token"))
    }

    @Test("Network failures name the URL, say nothing was sent, and get the right exit code")
    func networkFailures() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let invite = try await scenario.invite()
        let plainHTTP = try ProcessRunner.startPython(["-c", """
            import http.server, sys
            s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """])
        defer { plainHTTP.terminate() }
        let httpPort = await plainHTTP.readLine()
        let closer = try ProcessRunner.startPython(["-c", """
            import socket
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
            print(s.getsockname()[1], flush=True)
            while True:
                c, _ = s.accept(); c.close()
            """])
        defer { closer.terminate() }
        let closePort = await closer.readLine()
        let cases: [(String, [String], [String: String], Int32, String)] = [
            ("closed port", ["--server", "https://127.0.0.1:9"], [:], 69, "nothing answers there"),
            ("plain HTTP port", ["--server", "https://127.0.0.1:\(httpPort)"], [:], 69, "did not set up a secure (TLS) connection"),
            // Whether the peer's close reaches the client as a failed handshake or a reset connection
            // depends on timing; both are connection problems (69).
            ("closed during the handshake", ["--server", "https://127.0.0.1:\(closePort)"], [:], 69, "https://127.0.0.1:\(closePort)"),
            ("unknown host", ["--server", "https://vault.nonexistent.invalid"], [:], 69, "does not resolve"),
            ("http URL", ["--server", "http://127.0.0.1:9"], [:], 64, "must start with https://"),
            ("missing CA file", [], ["HANDOFF_CA_FILE": "/nonexistent/ca.pem"], 64, "does not exist"),
            ("untrusted certificate", [], ["HANDOFF_CA_FILE": ""], 76, "is not trusted on this computer, so nothing was sent"),
        ]
        for (name, arguments, environment, status, words) in cases {
            let result = try await ProcessRunner.run(TestPaths.product("handoff"), ["status", "--invite-file", invite.file] + arguments,
                                               environment: Self.environment(server, environment))
            #expect(result.status == status, "\(name): \(result.status) \(result.standardError)")
            #expect(result.standardError.contains(words), "\(name): \(result.standardError)")
            #expect(Self.plain(result.standardError), "\(name): \(result.standardError)")
            if status == 69 {
                #expect(result.standardError.contains("Nothing was sent") || result.standardError.contains("may have arrived"), "\(name)")
                #expect(result.standardError.contains("https://"), "\(name): names the URL")
                #expect(!result.standardError.contains("--server"), "\(name): a customer never typed --server")
            }
        }
        let folder = try await server.handoff(["validate", "--values", server.directory.path])
        #expect(folder.status == 64 && folder.standardError.contains("is a folder"))
        let auditor = try await scenario.token(role: "auditor")
        let pull = try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", server.directory.appendingPathComponent("p").path], token: auditor)
        #expect(pull.status == 77, "\(pull.standardError)")
    }

    /// The environment for a customer command: only what a customer would have (an empty value
    /// removes a variable).
    static func environment(_ server: ServerHarness, _ extra: [String: String]) -> [String: String] {
        var environment = server.environment()
        environment["HANDOFF_SERVER"] = nil
        for (key, value) in extra { environment[key] = value.isEmpty ? nil : value }
        return environment
    }

    @Test("Invites pasted in quotes, with CRLF, with a BOM or wrapped at 76 columns all work")
    func pastedInvites() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let invite = try await scenario.invite()
        let wrapped = stride(from: 0, to: invite.code.count, by: 76).map { start -> String in
            let from = invite.code.index(invite.code.startIndex, offsetBy: start)
            let to = invite.code.index(from, offsetBy: min(76, invite.code.count - start))
            return String(invite.code[from..<to])
        }.joined(separator: "\r\n")
        let forms = ["\"\(invite.code)\"", "\(invite.code)\r\n", "\u{FEFF}\(invite.code)\n", "  \(wrapped)\r\n", "“\(invite.code)”"]
        for (index, form) in forms.enumerated() {
            let file = server.directory.appendingPathComponent("pasted-\(index).txt")
            try Data(form.utf8).write(to: file)
            let status = try await server.handoff(["status", "--invite-file", file.path])
            #expect(status.status == 0, "form \(index): \(status.standardError)")
        }
    }

    @Test("Values files from Notepad and editors: BOM, UTF-16, trailing comma, pasted tenant ID")
    func valuesDocuments() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let minimal = try String(contentsOf: URL(fileURLWithPath: Scenario.fixture("valid-minimal.json")), encoding: .utf8)
        func validate(_ data: Data) async throws -> ProcessResult {
            let file = directory.appendingPathComponent("values-\(UUID().uuidString.prefix(6)).json")
            try data.write(to: file)
            return try await ProcessRunner.run(TestPaths.product("handoff"), ["validate", "--values", file.path])
        }
        #expect(try await validate(Data("\u{FEFF}".utf8) + Data(minimal.utf8)).status == 0)
        let spaced = minimal.replacingOccurrences(of: "\"access_as_user\"", with: "\"access_as_user \\n\"")
        #expect(try await validate(Data(spaced.utf8)).status == 0)
        let utf16 = try await validate(minimal.data(using: .utf16)!)
        #expect(utf16.status == 65 && utf16.standardError.contains("saved as UTF-16; save it as UTF-8"), "\(utf16.standardError)")
        let comma = try await validate(Data(minimal.replacingOccurrences(of: "communication.azure.com/\"\n}", with: "communication.azure.com/\",\n}").utf8))
        #expect(comma.status == 65 && comma.standardError.contains("line 10, column"), "\(comma.standardError)")
        #expect(comma.standardError.contains("remove the comma after the last field"))
        let twice = minimal.replacingOccurrences(of: "\"clientId\": \"14a03569-d26b-4496-92e5-dfe8cb1855fe\"", with: "\"clientId\": \"096d3737-42f9-4039-8320-a4737c2b3abe\"")
        let pasted = try await validate(Data(twice.utf8))
        #expect(pasted.status == 65 && pasted.standardError.contains("is the same as the Directory (tenant) ID"), "\(pasted.standardError)")
        let wrongURI = minimal.replacingOccurrences(of: "/14a03569-d26b-4496-92e5-dfe8cb1855fe\"", with: "/096d3737-42f9-4039-8320-a4737c2b3abe\"")
        let uri = try await validate(Data(wrongURI.utf8))
        #expect(uri.standardError.contains("api://altouraremoteacs.azurewebsites.net/14a03569-d26b-4496-92e5-dfe8cb1855fe"), "\(uri.standardError)")
    }

    @Test("A revoked invite, the help, the next step, a replaced submission and a mistyped command read plainly")
    func plainWords() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let invite = try await scenario.invite()
        let values = Scenario.fixture("valid-minimal.json")
        let first = try await server.handoff(["submit", "--values", values, "--invite-file", invite.file])
        #expect(first.status == 0)
        #expect(first.standardOutput.contains("Next: wait for Altoura to build your Teams app package (Step 8)"), "\(first.standardOutput)")
        #expect(!first.standardOutput.contains("sealed bytes") && !first.standardOutput.contains("audit index"))
        let second = try await server.handoff(["submit", "--values", values, "--invite-file", invite.file])
        #expect(second.standardOutput.contains("replaces your earlier one"), "\(second.standardOutput)")
        let verbose = try await server.handoff(["submit", "--values", values, "--invite-file", invite.file, "--verbose"])
        #expect(verbose.standardOutput.contains("handoff-vault receipt v1"))
        _ = try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", server.directory.appendingPathComponent("p").path], token: scenario.generatorToken)
        #expect(try await server.handoff(["ack", invite.handoffId], token: scenario.generatorToken).status == 0)
        let status = try await server.handoff(["status", "--invite-file", invite.file])
        #expect(status.standardOutput.contains("built your Teams app package (Step 8)") && status.standardOutput.contains("handoff package fetch"), "\(status.standardOutput)")

        let help = try await server.handoff(["submit", "--help"])
        #expect(!help.standardOutput.contains("--token-file") && !help.standardOutput.contains("--ca-file") && !help.standardOutput.contains("--server"))
        let typo = try await server.handoff(["sumbit", "--values", values])
        #expect(typo.status == 64 && typo.standardError.contains("did you mean 'submit'"), "\(typo.standardError)")

        #expect(try await server.handoff(["admin", "revoke", invite.handoffId], token: server.adminToken).status == 0)
        let revoked = try await server.handoff(["status", "--invite-file", invite.file])
        #expect(revoked.status == 77)
        #expect(revoked.standardError.contains("your invite is no longer accepted") && revoked.standardError.contains("new invite"))
        #expect(Self.plain(revoked.standardError), "\(revoked.standardError)")
    }

    @Test("Prompt mode asks again only for the answers that were wrong")
    func promptsAgainOnlyForMistakes() async throws {
        let scenario = try await Scenario()
        let invite = try await scenario.invite()
        let good = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Scenario.fixture("valid-minimal.json"))))).objectValue!
        func value(_ key: String) -> String { good[key]?.stringValue ?? "" }
        let answers = [
            "not-a-guid", value("tenantId"), "https://altouraremoteacs.azurewebsites.net/auth/callback", value("applicationIdUri"), "",
            value("acsConnectionString"), value("acsEndpoint"), "",
            value("clientId"),
        ]
        let driven = try await ProcessRunner.python([
            TestPaths.repository.appendingPathComponent("Tests/Tools/prompt_driver.py").path, TestPaths.product("handoff").path,
            String(decoding: CanonicalJSON.encode(.array(answers.map(JSONValue.string))), as: UTF8.self),
            "submit", "--dry-run", "--invite-file", invite.file,
        ])
        let report = try #require(try JSONParser.parse(driven.standardOutput).objectValue, "\(driven.standardError)")
        let prompts = report["prompts"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(report["status"] == 0, "\(report["output"]?.stringValue ?? "")")
        #expect(prompts.count == 9, "\(prompts)")
        #expect(prompts.last?.hasPrefix("Application (client) ID") == true, "only the wrong answer is asked again: \(prompts)")
        #expect(prompts.filter { $0.hasPrefix("Communication Services connection string") }.count == 1, "the hidden connection string is not asked twice")
    }

    @Test("Every error of the map has an exit code and a message without jargon that ends with what to do")
    func errorMap() {
        let expected: [ClientError.Code: HandoffCLI.ExitStatus] = [
            .unreachable: .unavailable, .noTLS: .unavailable, .connectionLost: .unavailable, .rateLimited: .unavailable,
            .serverFailure: .unavailable, .untrustedCertificate: .protocolFailure, .malformedResponse: .protocolFailure,
            .notAuthenticated: .notAllowed, .notAllowed: .notAllowed, .rejected: .dataInvalid, .unusableSetting: .usage, .notReady: .temporaryFailure,
        ]
        for code in ClientError.Code.allCases {
            for forInvite in [true, false] {
                for failure in [ClientError.ConnectFailure.refused, .unknownHost, .timedOut, .other] {
                    var error = ClientError(code, status: 503, "the detail")
                    error.url = "https://vault.example"
                    error.forInvite = forInvite
                    error.connectFailure = failure
                    error.retryAfter = 42
                    let mapped = CLIError.from(error)
                    #expect(mapped.exitStatus == expected[code], "\(code)")
                    #expect(Self.plain(mapped.message), "\(code): \(mapped.message)")
                    #expect(mapped.message.hasSuffix("."), "\(code): ends with a sentence saying what to do: \(mapped.message)")
                    if !error.mayHaveBeenSent { #expect(mapped.message.contains("othing was sent"), "\(code)") }
                    if forInvite { #expect(!mapped.message.contains("--token-file") && !mapped.message.contains("--server"), "\(code)") }
                }
            }
        }
        #expect(CLIError.from(CocoaLikeError()).exitStatus == .software)
    }

    struct CocoaLikeError: Error {}
}
