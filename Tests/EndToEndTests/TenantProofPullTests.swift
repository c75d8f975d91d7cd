import Foundation
import HandoffDomain
import TestSupport
import Testing

/// The generator's check of sealed tenant proofs, end to end: a fake Entra (Tests/Tools/
/// fake_entra.py) serves its keys over TLS and mints ID tokens with PyJWT; the customer's side is
/// played by the same tool (a v2 payload sealed with PyNaCl, posted with the invite's token); the
/// real `handoff pull` checks them against the real vault.
@Suite("Tenant proof at the generator")
struct TenantProofPullTests {
    static let clientId = "3f0a6c2e-8b1d-4e7a-9c55-1d2e3f4a5b6c"
    static let valuesTenant = "096d3737-42f9-4039-8320-a4737c2b3abe"
    static let otherTenant = "1b2c3d4e-0000-4000-8000-000000000000"

    /// The fake Entra, its keys folder, CA and URL.
    struct Entra {
        let process: InteractiveProcess
        let keys: String
        let caFile: String
        let url: String

        init(_ folder: URL) async throws {
            keys = folder.appendingPathComponent("entra-keys").path
            let made = try await ProcessRunner.python([TestPaths.repository.appendingPathComponent("Tests/Tools/fake_entra.py").path, "keys", keys])
            guard made.status == 0 else { throw HarnessError("fake_entra.py keys: \(made.standardError)") }
            process = try ProcessRunner.startPython([TestPaths.repository.appendingPathComponent("Tests/Tools/fake_entra.py").path, "serve", keys, folder.path])
            caFile = await process.readLine()
            url = await process.readLine()
            guard url.hasPrefix("https://") else { throw HarnessError("fake_entra.py did not start: \(caFile) \(url)") }
        }

        func run(_ arguments: [String]) async throws -> ProcessResult {
            try await ProcessRunner.python([TestPaths.repository.appendingPathComponent("Tests/Tools/fake_entra.py").path] + arguments)
        }

        /// How often the generator read the keys.
        func hits() async throws -> Int {
            let answer = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-sf", "--cacert", caFile, url + "/hits"])
            return Int(try JSONParser.parse(answer.standardOutput).objectValue?["hits"]?.integerValue ?? -1)
        }
    }

    /// One handoff for a case: invited with a required proof (pinned to `pin`), then a v2 payload
    /// with a token made as `config` says.
    static func submitted(_ scenario: Scenario, _ entra: Entra, name: String, pin: String = valuesTenant, config: [String: JSONValue]) async throws -> String {
        let invited = try await scenario.server.handoff(
            ["admin", "invite", "--customer", name, "--tenant-proof", "required", "--tenant", pin, "--json"], token: scenario.server.adminToken
        )
        let object = try #require((try? JSONParser.parse(invited.standardOutput))?.objectValue, "\(invited.standardError)")
        let id = try #require(object["handoffId"]?.stringValue)
        let inviteFile = scenario.server.directory.appendingPathComponent("invite-\(name).txt")
        try Data((try #require(object["inviteCode"]?.stringValue) + "\n").utf8).write(to: inviteFile)
        var full: [String: JSONValue] = [
            "invite": .string(inviteFile.path), "ca": .string(scenario.server.caFile), "values": .string(Scenario.fixture("valid-minimal.json")),
            "keys": .string(entra.keys), "kid": "key-1", "alg": "RS256", "salt": "AAECAwQFBgcICQoLDA0ODw",
            "authority": .string(entra.url), "clientId": .string(clientId),
        ]
        for (key, value) in config { full[key] = value }
        let configFile = scenario.server.directory.appendingPathComponent("proof-\(name).json")
        try Data(CanonicalJSON.encode(.object(full))).write(to: configFile)
        let sent = try await entra.run(["submit", configFile.path])
        #expect(sent.status == 0, "\(name): \(sent.standardError)")
        return id
    }

    /// `handoff pull` trusting one CA file that holds the vault's and the fake Entra's CAs (the
    /// CLI's one `--ca-file` is trusted for every HTTPS connection it makes).
    func pull(_ scenario: Scenario, _ entra: Entra, out: String, extra: [String] = ["--require-tenant-proof"]) async throws -> ProcessResult {
        let bundle = scenario.server.directory.appendingPathComponent("ca-bundle.pem")
        try Data(try Data(contentsOf: URL(fileURLWithPath: scenario.server.caFile)) + (try Data(contentsOf: URL(fileURLWithPath: entra.caFile)))).write(to: bundle)
        return try await scenario.server.handoff(
            ["pull", "--key", scenario.generatorKey, "--out", out, "--json", "--entra-client-id", Self.clientId, "--entra-authority", entra.url] + extra,
            token: scenario.generatorToken, extra: ["HANDOFF_CA_FILE": bundle.path]
        )
    }

    @Test("Every forged or misplaced sign-in is refused with a reason that names its check; the valid one is verified; the others are still pulled")
    func refusals() async throws {
        let scenario = try await Scenario(serverEnvironment: ["HANDOFF_ENTRA_CLIENT_ID": Self.clientId])
        let entra = try await Entra(scenario.server.directory)
        let issuerOther = JSONValue.string("\(entra.url)/\(Self.otherTenant)/v2.0")
        let personal = "9188040d-6c67-4c5b-b112-36a304b66dad"
        let cases: [(name: String, pin: String, config: [String: JSONValue], reason: String)] = [
            ("alg-none", Self.valuesTenant, ["alg": "none"], "signed with none, not RS256"),
            ("hs256-public-key", Self.valuesTenant, ["alg": "HS256-PUB"], "signed with HS256, not RS256"),
            ("unknown-kid", Self.valuesTenant, ["kid": "key-2"], "key key-2, which the issuer does not publish"),
            ("bad-signature", Self.valuesTenant, ["tamper": true], "signature does not hold"),
            ("wrong-iss", Self.valuesTenant, ["claims": ["iss": .string("https://login.example.test/\(Self.valuesTenant)/v2.0")]], "was issued by https://login.example.test"),
            ("wrong-aud", Self.valuesTenant, ["claims": ["aud": "99999999-2222-3333-4444-555555555555"]], "for another app (aud)"),
            ("tid-not-values", Self.valuesTenant, ["claims": ["tid": .string(Self.otherTenant), "iss": issuerOther]], "the values name tenant \(Self.valuesTenant)"),
            ("tid-not-pinned", Self.otherTenant, [:], "the invite was made for tenant \(Self.otherTenant)"),
            ("personal-account", Self.valuesTenant, ["claims": ["tid": .string(personal), "iss": .string("\(entra.url)/\(personal)/v2.0")]], "personal Microsoft account"),
            ("guest", Self.valuesTenant, ["claims": ["idp": "https://sts.windows.net/aaaaaaaa-0000-4000-8000-000000000000/"]], "guest"),
            ("nonce-other-salt", Self.valuesTenant, ["claims": ["nonce": "b3RoZXItaGFuZG9mZi1vci1zYWx0"]], "nonce is for another handoff or salt"),
            ("issued-after", Self.valuesTenant, ["claims": ["iat": "now3600", "nbf": "now3600", "exp": "now7200"]], "issued after the submission"),
            ("expired-before", Self.valuesTenant, ["claims": ["iat": "now-7200", "nbf": "now-7200", "exp": "now-3600"]], "expired before the submission"),
            ("not-a-jws", Self.valuesTenant, ["token": "this is not a token"], "not a JWS ID token"),
        ]
        var expected: [String: String] = [:]
        for item in cases {
            expected[try await Self.submitted(scenario, entra, name: item.name, pin: item.pin, config: item.config)] = item.reason
        }
        let valid = try await Self.submitted(scenario, entra, name: "valid", config: [:])
        let deviceCode = try await Self.submitted(scenario, entra, name: "device-code", config: ["claims": ["nonce": .null]])
        let unsigned = try await scenario.invite(customer: "no-proof")
        #expect(try await scenario.server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", unsigned.file]).status == 0)
        expected[unsigned.handoffId] = "the tenant proof is missing"

        let out = scenario.server.directory.appendingPathComponent("pulled").path
        let pulled = try await pull(scenario, entra, out: out)
        #expect(pulled.status == 76, "\(pulled.standardError)")
        let answer = try #require((try? JSONParser.parse(pulled.standardOutput))?.objectValue, "\(pulled.standardError)")
        let entries = answer["pulled"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(Set(entries.compactMap { $0["handoffId"]?.stringValue }) == [valid, deviceCode], "only the verified ones are written")
        let proofs = Dictionary(uniqueKeysWithValues: entries.map { ($0["handoffId"]?.stringValue ?? "", $0["tenantProof"]?.objectValue ?? [:]) })
        #expect(proofs[valid]?["status"]?.stringValue == "verified")
        #expect(proofs[valid]?["user"]?.stringValue == "alice@contoso.example")
        #expect(proofs[valid]?["tenantId"]?.stringValue == Self.valuesTenant)
        #expect(proofs[valid]?["binding"]?.stringValue == "nonce")
        #expect(proofs[valid]?["adminRoles"]?.arrayValue == ["62e90394-69f5-4237-9190-012177145e10"])
        #expect(proofs[deviceCode]?["binding"]?.stringValue == "time", "a token without nonce is bound by its time")
        let failures = answer["failed"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for (id, reason) in expected {
            let line = failures.first { $0.hasPrefix(id) } ?? "(not refused)"
            #expect(line.contains(reason), "\(id): \(line)")
            #expect(!FileManager.default.fileExists(atPath: "\(out)/\(id).json"), "nothing written for a refused proof")
        }
        #expect(failures.count == expected.count)
        #expect(try await entra.hits() == 2, "the keys read once, and once more for the unknown kid")

        // Entra publishes a new key before it signs with it: a token by key-2 now verifies.
        #expect(try await entra.run(["rotate", entra.keys]).status == 0)
        let rotated = try await Self.submitted(scenario, entra, name: "rotated-key", config: ["kid": "key-2"])
        let again = try await pull(scenario, entra, out: scenario.server.directory.appendingPathComponent("pulled-again").path)
        let againEntries = try JSONParser.parse(again.standardOutput).objectValue?["pulled"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(againEntries.first { $0["handoffId"]?.stringValue == rotated }?["tenantProof"]?.objectValue?["status"]?.stringValue == "verified",
                "\(again.standardError)")
    }

    @Test("Invites name the sign-in app, the policy, the pinned tenant and Altoura's constants; asking for a proof without a sign-in app is refused")
    func inviteFields() async throws {
        let scenario = try await Scenario(serverEnvironment: [
            "HANDOFF_ENTRA_CLIENT_ID": Self.clientId, "HANDOFF_ENTRA_AUTHORITY": "https://login.example.test",
            "HANDOFF_DEPLOYMENT_REDIRECT_URI": "https://altouraremoteacs.azurewebsites.net/auth-end",
            "HANDOFF_DEPLOYMENT_APP_ID_URI_HOST": "altouraremoteacs.azurewebsites.net",
        ])
        let made = try await scenario.server.handoff(
            ["admin", "invite", "--customer", "Contoso", "--tenant-proof", "optional", "--tenant", Self.valuesTenant.uppercased(), "--json"],
            token: scenario.server.adminToken
        )
        let code = try #require((try? JSONParser.parse(made.standardOutput))?.objectValue?["inviteCode"]?.stringValue, "\(made.standardError)")
        let invite = try InviteCode(decoding: code)
        #expect(invite.signIn == SignInSettings(clientId: Self.clientId, authority: "https://login.example.test"))
        #expect(invite.tenantProof == .optional)
        #expect(invite.tenantId == Self.valuesTenant)
        #expect(invite.redirectUri == "https://altouraremoteacs.azurewebsites.net/auth-end")
        #expect(invite.appIdUriHost == "altouraremoteacs.azurewebsites.net")
        let plain = try await scenario.invite()
        #expect(try InviteCode(decoding: plain.code).tenantProof == nil, "no proof asked for unless the operator asks")

        let without = try await Scenario()
        let refused = try await without.server.handoff(["admin", "invite", "--customer", "C", "--tenant-proof", "required"], token: without.server.adminToken)
        #expect(refused.status == 65, "\(refused.standardError)")
        #expect(refused.standardError.contains("set entra_client_id on the server first"), "\(refused.standardError)")
        #expect(try InviteCode(decoding: try await without.invite().code).signIn == nil, "older invites: no sign-in fields")
    }

    @Test("Without --require-tenant-proof the values are written with the verdict beside them; no package is built from a refused proof; a JWKS file works offline")
    func verdictBesideValues() async throws {
        let scenario = try await Scenario(serverEnvironment: ["HANDOFF_ENTRA_CLIENT_ID": Self.clientId])
        let entra = try await Entra(scenario.server.directory)
        let refused = try await Self.submitted(scenario, entra, name: "wrong-aud", config: ["claims": ["aud": "99999999-2222-3333-4444-555555555555"]])
        let valid = try await Self.submitted(scenario, entra, name: "valid", config: [:])
        let out = scenario.server.directory.appendingPathComponent("pulled").path
        let pulled = try await scenario.server.handoff(
            ["pull", "--key", scenario.generatorKey, "--out", out, "--entra-client-id", Self.clientId, "--entra-authority", entra.url,
             "--jwks-file", entra.keys + "/jwks.json", "--package-out", scenario.server.directory.appendingPathComponent("packages").path],
            token: scenario.generatorToken
        )
        #expect(pulled.status == 0, "\(pulled.standardError)")
        #expect(pulled.standardOutput.contains("signed in as alice@contoso.example (tenant \(Self.valuesTenant))"), "\(pulled.standardOutput)")
        #expect(pulled.standardOutput.contains("tenant proof REFUSED: the sign-in token is for another app (aud)"), "\(pulled.standardOutput)")
        #expect(try await entra.hits() == 0, "offline: the keys came from the file")
        let verdict = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(refused).tenant-proof.json"))))
        #expect(verdict.objectValue?["status"]?.stringValue == "refused")
        #expect(FileManager.default.fileExists(atPath: scenario.server.directory.appendingPathComponent("packages/\(valid).zip").path))
        #expect(!FileManager.default.fileExists(atPath: scenario.server.directory.appendingPathComponent("packages/\(refused).zip").path),
                "no package from values whose proof was refused")
        let build = try await scenario.server.handoff(["package", "build", "--values", "\(out)/\(refused).json", "--out", "\(out)/refused.zip"])
        #expect(build.status == 76, "\(build.standardError)")
        #expect(build.standardError.contains("refused the tenant proof"), "\(build.standardError)")
        #expect(try await scenario.server.handoff(["package", "build", "--values", "\(out)/\(valid).json", "--out", "\(out)/valid.zip"]).status == 0)
    }
}
