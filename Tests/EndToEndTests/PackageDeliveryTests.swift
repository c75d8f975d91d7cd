import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto

/// Steps 8–10 through the vault: the generator signs and delivers the package, the customer
/// fetches it and checks it against the key in their invite, then sends the Object ID back.
@Suite("Package delivery")
struct PackageDeliveryTests {
    static let clientId = "14a03569-d26b-4496-92e5-dfe8cb1855fe"

    /// A handoff whose values were submitted and pulled, with the package built: (invite, zip path).
    static func pulled(_ scenario: Scenario) async throws -> (invite: (handoffId: String, code: String, file: String), zip: URL) {
        let server = scenario.server
        let invite = try await scenario.invite()
        #expect(try await server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file]).status == 0)
        let packages = server.directory.appendingPathComponent("packages")
        let pull = try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", server.directory.appendingPathComponent("pulled").path,
                                       "--package-out", packages.path], token: scenario.generatorToken)
        #expect(pull.status == 0, "\(pull.standardError)")
        return (invite, packages.appendingPathComponent("\(invite.handoffId).zip"))
    }

    @Test("The zip fetched is the zip built; states, next steps and audit events follow; Step 10 re-submits")
    func roundTrip() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let (invite, zip) = try await Self.pulled(scenario)
        #expect(try InviteCode(decoding: invite.code).generatorSigningKey != nil, "new invites pin the generator signing key")
        let early = try await server.handoff(["package", "fetch", "--out", server.directory.appendingPathComponent("early").path, "--invite-file", invite.file])
        #expect(early.status == 77 || early.status == 65, "nothing to fetch before delivery: \(early.standardError)")

        let deliver = try await server.handoff(["package", "deliver", invite.handoffId, "--package", zip.path, "--key", scenario.generatorKey, "--json"],
                                         token: scenario.generatorToken)
        #expect(deliver.status == 0, "\(deliver.standardError)")
        #expect(try await server.sql("SELECT state FROM handoff WHERE id = '\(invite.handoffId)'") == "delivered")
        let status = try await server.handoff(["status", "--invite-file", invite.file])
        #expect(status.standardOutput.contains("Your signed Teams app package is ready (Step 9)"), "\(status.standardOutput)")

        let out = server.directory.appendingPathComponent("fetched")
        let fetch = try await server.handoff(["package", "fetch", "--out", out.path, "--values", Scenario.fixture("valid-minimal.json"),
                                        "--invite-file", invite.file, "--json"])
        #expect(fetch.status == 0, "\(fetch.standardError)")
        let fetched = try Data(contentsOf: out.appendingPathComponent("\(invite.handoffId).zip"))
        #expect(fetched == (try Data(contentsOf: zip)), "byte-identical")
        let report = try #require(try JSONParser.parse(fetch.standardOutput).objectValue)
        #expect(report["sha256"]?.stringValue == Base64.encode(try SHA256.hash(Array(fetched))))
        let events = try await server.sql("SELECT CAST(event AS TEXT) FROM auditEvent ORDER BY id")
        #expect(events.contains("\"package.delivered\"") && events.contains("\"package.fetched\""))

        // Roles: the generator and admins may download; auditors and other customers may not.
        let other = try await scenario.invite(customer: "Other")
        try await TestHTTP.with(caFile: server.caFile) { http in
            let path = server.url + "/v1/handoffs/\(invite.handoffId)/package"
            #expect(try await http.send("GET", path, token: scenario.generatorToken).status == 200)
            #expect(try await http.send("GET", path, token: server.adminToken).status == 200)
            #expect(try await http.send("GET", path, token: try await scenario.token(role: "auditor")).status == 403)
            #expect(try await http.send("GET", path, token: try InviteCode(decoding: other.code).token.withText { $0 }).status == 404)
            let customerToken = try InviteCode(decoding: invite.code).token.withText { $0 }
            #expect(try await http.send("PUT", path, token: customerToken, body: ["package": "UEsDBA==", "signature": "x"]).status == 403)

            // Step 10: the Object ID comes back through the same invite.
            let withObjectId = server.directory.appendingPathComponent("values-step10.json")
            let values = try String(contentsOf: URL(fileURLWithPath: Scenario.fixture("valid-minimal.json")), encoding: .utf8)
                .replacingOccurrences(of: "\n}", with: ",\n  \"teamsAppObjectId\": \"2f0c1b7e-3a4d-4c5e-9f60-718293a4b5c6\"\n}")
            try Data(values.utf8).write(to: withObjectId)
            #expect(try await server.handoff(["submit", "--values", withObjectId.path, "--invite-file", invite.file]).status == 0)
            #expect(try await server.sql("SELECT state FROM handoff WHERE id = '\(invite.handoffId)'") == "submitted")
        }
    }

    @Test("A compromised server cannot get a package past fetch: tampered, another key, another handoff, another client ID")
    func hostileServer() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let (invite, _) = try await Self.pulled(scenario)
        let keyId = try #require(try await server.sql("SELECT id FROM recipientKey WHERE active = 1").split(separator: "\n").first.map(String.init))
        for (mode, expected) in [("valid", Int32(0)), ("tampered", 76), ("other-key", 76), ("other-handoff", 76), ("other-client", 76)] {
            let hostile = try ProcessRunner.startPython([
                TestPaths.repository.appendingPathComponent("Tests/Tools/hostile_package_vault.py").path, server.directory.path, mode,
                invite.handoffId, scenario.generatorKey, keyId, Self.clientId,
            ])
            defer { hostile.terminate() }
            let caFile = await hostile.readLine()
            let url = await hostile.readLine()
            try #require(url.hasPrefix("https://"), "\(mode): \(caFile)")
            let out = server.directory.appendingPathComponent("fetched-\(mode)")
            let fetch = try await server.handoff(["package", "fetch", "--out", out.path, "--values", Scenario.fixture("valid-minimal.json"),
                                            "--invite-file", invite.file, "--server", url], extra: ["HANDOFF_CA_FILE": caFile])
            #expect(fetch.status == expected, "\(mode): \(fetch.standardError)")
            let written = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
            #expect(written.isEmpty == (expected != 0), "\(mode): \(written)")
        }
    }

    @Test("Only zips up to 1 MiB, signed by the handoff's generator key, are stored")
    func limits() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let (invite, zip) = try await Self.pulled(scenario)
        try await TestHTTP.with(caFile: server.caFile) { http in
            let path = server.url + "/v1/handoffs/\(invite.handoffId)/package"
            let bytes = Array(try Data(contentsOf: zip))
            let keys = try GeneratorKeyFile.decode(Array(try Data(contentsOf: URL(fileURLWithPath: scenario.generatorKey))))
            let signing = try #require(keys.signing)
            let keyId = keys.sealing.publicKey.keyId
            let big = bytes + [UInt8](repeating: 0, count: 1024 * 1024)
            let tooLarge = try await http.send("PUT", path, token: scenario.generatorToken, body: [
                "package": .string(Base64.encode(big)),
                "signature": .string(try PackageSignature.sign(zip: big, handoffId: invite.handoffId, recipientKeyId: keyId, with: signing)),
            ])
            #expect(tooLarge.status == 413)
            let notZip = Array("not a zip at all, just text".utf8)
            let refused = try await http.send("PUT", path, token: scenario.generatorToken, body: [
                "package": .string(Base64.encode(notZip)),
                "signature": .string(try PackageSignature.sign(zip: notZip, handoffId: invite.handoffId, recipientKeyId: keyId, with: signing)),
            ])
            #expect(refused.status == 400)
            let otherKey = try await http.send("PUT", path, token: scenario.generatorToken, body: [
                "package": .string(Base64.encode(bytes)),
                "signature": .string(try PackageSignature.sign(zip: bytes, handoffId: invite.handoffId, recipientKeyId: keyId, with: try SigningKeyPair.generate())),
            ])
            #expect(otherKey.status == 422)
            #expect(try await server.sql("SELECT COUNT(*) FROM package") == "0")
            #expect(try await server.sql("SELECT state FROM handoff WHERE id = '\(invite.handoffId)'") == "released")
            // The CLI refuses to deliver what is not a Teams package before anything is sent.
            let text = server.directory.appendingPathComponent("notes.zip")
            try Data(notZip).write(to: text)
            let local = try await server.handoff(["package", "deliver", invite.handoffId, "--package", text.path, "--key", scenario.generatorKey], token: scenario.generatorToken)
            #expect(local.status == 76, "\(local.standardError)")
        }
    }
}
