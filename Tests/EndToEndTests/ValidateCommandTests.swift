import Foundation
import HandoffDomain
import TestSupport
import Testing

/// The built `handoff` binary, run as a user would.
@Suite("handoff validate (the real binary)")
struct ValidateCommandTests {
    static let handoff = TestPaths.product("handoff")

    static func expected() throws -> [String: JSONValue] {
        let url = TestPaths.valuesFixtures.appendingPathComponent("expected.json")
        return try #require(try JSONParser.parse(Array(try Data(contentsOf: url))).objectValue)
    }

    @Test("--json gives every fixture its expected verdict and exit code", arguments: TestPaths.valueFixtureNames())
    func fixture(name: String) async throws {
        let expectation = try #require(try Self.expected()[name]?.objectValue)
        let path = TestPaths.valuesFixtures.appendingPathComponent(name).path
        let result = try await ProcessRunner.run(Self.handoff, ["validate", "--values", path, "--json"])
        let output = try #require(try JSONParser.parse(result.standardOutput).objectValue, "\(result.standardOutput)")
        let problems = try #require(output["problems"]?.arrayValue)
        let reported = Set(problems.compactMap { $0.objectValue?["field"]?.stringValue })
        let strings = { (key: String) in Set((expectation[key]?.arrayValue ?? []).compactMap(\.stringValue)) }
        if expectation["valid"] == .bool(true) {
            #expect(result.status == 0)
            #expect(output["valid"] == .bool(true))
            #expect(problems.isEmpty)
        } else {
            #expect(result.status == 65)
            #expect(output["valid"] == .bool(false))
            #expect(strings("fields").isSubset(of: reported), "\(name): \(reported.sorted())")
            #expect(reported.isSubset(of: strings("fields").union(strings("mayAlsoReport"))), "\(name): \(reported.sorted())")
            for problem in problems {
                let members = try #require(problem.objectValue)
                #expect(Set(members.keys) == ["field", "message", "hint"])
            }
        }
    }

    @Test("Reads values from standard input with --values -")
    func standardInput() async throws {
        let document = try Data(contentsOf: TestPaths.valuesFixtures.appendingPathComponent("valid-minimal.json"))
        let accepted = try await ProcessRunner.run(Self.handoff, ["validate", "--values", "-"], input: document)
        #expect(accepted.status == 0)
        #expect(accepted.standardOutput.contains("valid"))
        let refused = try await ProcessRunner.run(Self.handoff, ["validate", "--values", "-"], input: Data("{}".utf8))
        #expect(refused.status == 65)
        #expect(refused.standardError.contains("clientId: is missing: it is required"))
        #expect(refused.standardError.contains("fix: copy Application (client) ID"))
    }

    @Test("Human output lists each problem with its fix and never the access key")
    func humanOutput() async throws {
        let url = TestPaths.valuesFixtures.appendingPathComponent("invalid-acs-key-not-base64.json")
        let result = try await ProcessRunner.run(Self.handoff, ["validate", "--values", url.path])
        #expect(result.status == 65)
        #expect(result.standardError.contains("acsConnectionString: the connection string has an accesskey that is not standard base64"))
        #expect(!result.standardError.contains("not*base64!"))
        #expect(!result.standardOutput.contains("not*base64!"))
    }

    @Test("Usage errors exit 64 and say what to do", arguments: [
        ["validate"], ["validate", "--values", "/nonexistent/values.json"], ["validate", "--values", "x", "--bogus"], ["frobnicate"],
    ])
    func usage(arguments: [String]) async throws {
        let result = try await ProcessRunner.run(Self.handoff, arguments)
        #expect(result.status == 64, "\(arguments): \(result.standardError)")
        #expect(!result.standardError.isEmpty)
    }

    @Test("--help shows an example and a customer's options only (operators' on their commands); --version prints the version")
    func helpAndVersion() async throws {
        let help = try await ProcessRunner.run(Self.handoff, ["validate", "--help"])
        #expect(help.status == 0)
        for text in ["handoff validate --values values.json", "--json"] {
            #expect(help.standardOutput.contains(text), "\(text)")
        }
        for text in ["--server", "--ca-file", "--token-file"] {
            #expect(!help.standardOutput.contains(text), "\(text)")
        }
        let operatorHelp = try await ProcessRunner.run(Self.handoff, ["admin", "invite", "--help"])
        for text in ["--server", "--ca-file", "--token-file", "--json"] {
            #expect(operatorHelp.standardOutput.contains(text), "\(text)")
        }
        let version = try await ProcessRunner.run(Self.handoff, ["--version"])
        #expect(version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == HandoffVaultVersion.current)
        let daemon = try await ProcessRunner.run(TestPaths.product("handoffd"), ["--version"])
        #expect(daemon.standardOutput == version.standardOutput)
    }
}

