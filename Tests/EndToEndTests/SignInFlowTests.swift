import Foundation
import HandoffDomain
import TestSupport
import Testing

/// Sign in with Microsoft in the CLI, end to end against the fake Entra (Tests/Tools/fake_entra.py:
/// PKCE checked, device-code states, ID tokens minted by PyJWT): the loopback flow with a script
/// as the browser, the device code approved, declined and expired, a sign-in of the wrong tenant,
/// and the generator verifying what was sealed.
@Suite("Sign in with Microsoft (CLI)")
struct SignInFlowTests {
    typealias Entra = TenantProofPullTests.Entra

    struct Setup {
        let scenario: Scenario
        let entra: Entra
        let invite: String
        let handoffId: String
        let environment: [String: String]

        /// A vault whose invites require a proof, the fake Entra as its authority, and one invite.
        init(user: [String: JSONValue] = [:]) async throws {
            let clientId = TenantProofPullTests.clientId
            let folder = try TestPaths.temporaryDirectory()
            entra = try await Entra(folder)
            scenario = try await Scenario(serverEnvironment: [
                "HANDOFF_ENTRA_CLIENT_ID": clientId, "HANDOFF_ENTRA_AUTHORITY": entra.url, "HANDOFF_GRAPH_URL": entra.url,
            ])
            var person: [String: JSONValue] = ["clientId": .string(clientId), "pending": 1]
            for (key, value) in user { person[key] = value }
            try Data(CanonicalJSON.encode(.object(person))).write(to: URL(fileURLWithPath: entra.keys + "/user.json"))
            let made = try await scenario.server.handoff(
                ["admin", "invite", "--customer", "Contoso", "--tenant-proof", "required", "--tenant", TenantProofPullTests.valuesTenant, "--json"],
                token: scenario.server.adminToken
            )
            let object = try #require((try? JSONParser.parse(made.standardOutput))?.objectValue, "\(made.standardError)")
            handoffId = try #require(object["handoffId"]?.stringValue)
            let file = scenario.server.directory.appendingPathComponent("invite.txt")
            try Data((try #require(object["inviteCode"]?.stringValue) + "\n").utf8).write(to: file)
            invite = file.path
            let bundle = scenario.server.directory.appendingPathComponent("ca-bundle.pem")
            try Data(try Data(contentsOf: URL(fileURLWithPath: scenario.server.caFile)) + (try Data(contentsOf: URL(fileURLWithPath: entra.caFile)))).write(to: bundle)
            environment = [
                "HANDOFF_CA_FILE": bundle.path, "FAKE_ENTRA_CA": entra.caFile,
                "BROWSER": TestPaths.repository.appendingPathComponent("Tests/Tools/play_browser.py").path,
            ]
        }

        func handoff(_ arguments: [String], token: String? = nil) async throws -> ProcessResult {
            try await scenario.server.handoff(arguments, token: token, extra: environment)
        }

        /// What the generator finds: the tenant proof of this handoff.
        func generatorVerdict() async throws -> [String: JSONValue] {
            let out = scenario.server.directory.appendingPathComponent("pulled").path
            let pulled = try await handoff(
                ["pull", "--key", scenario.generatorKey, "--out", out, "--json", "--require-tenant-proof",
                 "--entra-client-id", TenantProofPullTests.clientId, "--entra-authority", entra.url],
                token: scenario.generatorToken
            )
            #expect(pulled.status == 0, "\(pulled.standardError)")
            let entries = (try? JSONParser.parse(pulled.standardOutput))?.objectValue?["pulled"]?.arrayValue ?? []
            return entries.compactMap(\.objectValue).first { $0["handoffId"]?.stringValue == handoffId }?["tenantProof"]?.objectValue ?? [:]
        }
    }

    @Test("Loopback sign-in with PKCE (a script as the browser): the proof is sealed with the values and the generator verifies it by its nonce")
    func loopback() async throws {
        let setup = try await Setup()
        let submitted = try await setup.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", setup.invite])
        #expect(submitted.status == 0, "\(submitted.standardError)")
        #expect(submitted.standardOutput.contains("Signed in as alice@contoso.example (Alice Admin), tenant \(TenantProofPullTests.valuesTenant)"),
                "\(submitted.standardOutput)")
        #expect(submitted.standardError.contains("A browser window opened to sign in with Microsoft"), "\(submitted.standardError)")
        let verdict = try await setup.generatorVerdict()
        #expect(verdict["status"]?.stringValue == "verified", "\(verdict)")
        #expect(verdict["binding"]?.stringValue == "nonce")
        #expect(verdict["user"]?.stringValue == "alice@contoso.example")
    }

    @Test("Device code: Microsoft's message shown, pending and slow_down waited out; the generator binds the token by time")
    func deviceCode() async throws {
        let setup = try await Setup()
        let submitted = try await setup.handoff(["submit", "--use-device-code", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", setup.invite])
        #expect(submitted.status == 0, "\(submitted.standardError)")
        #expect(submitted.standardError.contains("enter the code FAKE-CODE to authenticate"), "\(submitted.standardError)")
        let verdict = try await setup.generatorVerdict()
        #expect(verdict["status"]?.stringValue == "verified", "\(verdict)")
        #expect(verdict["binding"]?.stringValue == "time")
    }

    @Test("A declined or expired device code exits 77 with what to do, and nothing is sent", arguments: ["decline", "expire"])
    func deviceCodeRefused(outcome: String) async throws {
        let setup = try await Setup(user: ["deviceOutcome": .string(outcome), "pending": 0])
        let submitted = try await setup.handoff(["submit", "--use-device-code", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", setup.invite])
        #expect(submitted.status == 77, "\(submitted.standardError)")
        #expect(submitted.standardError.contains(outcome == "decline" ? "declined" : "expired"), "\(submitted.standardError)")
        #expect(submitted.standardError.contains("Nothing was sent"), "\(submitted.standardError)")
        let status = try await setup.handoff(["status", "--invite-file", setup.invite, "--json"])
        #expect((try? JSONParser.parse(status.standardOutput))?.objectValue?["state"]?.stringValue == "invited", "\(status.standardOutput)")
    }

    @Test("Signed in with another tenant than the values name: exit 65 in the admin's words, nothing sent")
    func wrongTenant() async throws {
        let other = TenantProofPullTests.otherTenant
        let setup = try await Setup(user: ["tid": .string(other)])
        let checked = try await setup.handoff(["signin", "--check", "--invite-file", setup.invite, "--values", Scenario.fixture("valid-minimal.json")])
        #expect(checked.status == 65, "\(checked.standardError)")
        #expect(checked.standardError.contains(
            "Signed in as alice@contoso.example (Alice Admin, tenant \(other)). The values name tenant \(TenantProofPullTests.valuesTenant) — sign in with an account of that tenant, or correct the Directory (tenant) ID"
        ), "\(checked.standardError)")
        let submitted = try await setup.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", setup.invite])
        #expect(submitted.status == 65, "\(submitted.standardError)")
        let status = try await setup.handoff(["status", "--invite-file", setup.invite, "--json"])
        #expect((try? JSONParser.parse(status.standardOutput))?.objectValue?["state"]?.stringValue == "invited")
    }

    @Test("handoff signin --check says who signed in, checked as the generator will; without --check it is a usage error")
    func check() async throws {
        let setup = try await Setup()
        let checked = try await setup.handoff(["signin", "--check", "--invite-file", setup.invite, "--json"])
        #expect(checked.status == 0, "\(checked.standardError)")
        let answer = (try? JSONParser.parse(checked.standardOutput))?.objectValue
        #expect(answer?["user"]?.stringValue == "alice@contoso.example")
        #expect(answer?["tenantId"]?.stringValue == TenantProofPullTests.valuesTenant)
        #expect(answer?["binding"]?.stringValue == "nonce")
        let plain = try await setup.handoff(["signin", "--invite-file", setup.invite])
        #expect(plain.status == 64, "signin without --check is a usage error")
    }
}
