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
    static func pulled(
        _ scenario: Scenario, customer: String = "Contoso", values: String = Scenario.fixture("valid-minimal.json")
    ) async throws -> (invite: (handoffId: String, code: String, file: String), zip: URL) {
        let server = scenario.server
        let invite = try await scenario.invite(customer: customer)
        #expect(try await server.handoff(["submit", "--values", values, "--invite-file", invite.file]).status == 0)
        let packages = server.directory.appendingPathComponent("packages")
        let pull = try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", pulledFolder(scenario).path,
                                       "--package-out", packages.path], token: scenario.generatorToken)
        #expect(pull.status == 0, "\(pull.standardError)")
        return (invite, packages.appendingPathComponent("\(invite.handoffId).zip"))
    }

    /// Where `pulled` lets `handoff pull` write the values (and the submission they came from).
    static func pulledFolder(_ scenario: Scenario) -> URL { scenario.server.directory.appendingPathComponent("pulled") }

    /// `handoff package deliver` of `zip` to `handoffId`, as the generator.
    static func deliver(_ scenario: Scenario, _ handoffId: String, _ zip: URL, json: Bool = false) async throws -> ProcessResult {
        try await scenario.server.handoff(
            ["package", "deliver", handoffId, "--package", zip.path, "--pulled", pulledFolder(scenario).path, "--key", scenario.generatorKey]
                + (json ? ["--json"] : []),
            token: scenario.generatorToken
        )
    }

    @Test("The zip fetched is the zip built; states, next steps and audit events follow; Step 10 re-submits")
    func roundTrip() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let (invite, zip) = try await Self.pulled(scenario)
        #expect(try InviteCode(decoding: invite.code).generatorSigningKey != nil, "new invites pin the generator signing key")
        let early = try await server.handoff(["package", "fetch", "--out", server.directory.appendingPathComponent("early").path, "--invite-file", invite.file])
        #expect(early.status == 75 && early.standardError.contains("not ready yet"), "nothing to fetch before delivery, yet: \(early.standardError)")

        let deliver = try await Self.deliver(scenario, invite.handoffId, zip, json: true)
        #expect(deliver.status == 0, "\(deliver.standardError)")
        #expect(try JSONParser.parse(deliver.standardOutput).objectValue?["sequence"] == .integer(1))
        #expect(try await server.sql("SELECT state FROM handoff WHERE id = '\(invite.handoffId)'") == "delivered")
        let status = try await server.handoff(["status", "--invite-file", invite.file])
        #expect(status.standardOutput.contains("Your signed Teams app package is ready (Step 9)"), "\(status.standardOutput)")
        #expect(status.standardOutput.contains("Altoura's package generator picked up your latest values at 20"), "\(status.standardOutput)")
        #expect(status.standardOutput.contains("Your signed Teams app package was delivered at 20"), "\(status.standardOutput)")

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

    @Test("Step 10 sends the Object ID alone: a small sealed payload the generator merges with the values it has; the words say Step 10, not Step 8")
    func objectIdAlone() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let objectId = "2F0C1B7E-3A4D-4C5E-9F60-718293A4B5C6"
        let fresh = try await scenario.invite(customer: "Fabrikam")
        let tooEarly = try await server.handoff(["submit", "--object-id", objectId, "--invite-file", fresh.file])
        #expect(tooEarly.status == 65 && tooEarly.standardError.contains("send your Step 6 values first"), "\(tooEarly.standardError)")
        let (invite, zip) = try await Self.pulled(scenario)
        #expect(try await Self.deliver(scenario, invite.handoffId, zip).status == 0)
        let notGUID = try await server.handoff(["submit", "--object-id", "{\(objectId)}", "--invite-file", invite.file])
        #expect(notGUID.status == 65 && notGUID.standardError.contains("remove the braces"), "\(notGUID.standardError)")
        let mixed = try await server.handoff(["submit", "--object-id", objectId, "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file])
        #expect(mixed.status == 64, "\(mixed.standardError)")

        let sent = try await server.handoff(["submit", "--object-id", objectId, "--invite-file", invite.file])
        #expect(sent.status == 0, "\(sent.standardError)")
        #expect(sent.standardOutput.contains("Object ID (Step 10)") && !sent.standardOutput.contains("Step 8"), "\(sent.standardOutput)")
        let waiting = try await server.handoff(["status", "--invite-file", invite.file, "--json"])
        let shown = try #require(try JSONParser.parse(waiting.standardOutput).objectValue)
        #expect(shown["state"] == "submitted" && shown["packageDelivered"] == true)
        #expect(shown["nextStep"]?.stringValue?.contains("Object ID (Step 10) is with the vault") == true, "\(waiting.standardOutput)")

        // The box is small (one GUID, no connection string) and opens to exactly the Step 10 payload.
        let sealedSize = try await server.sql("SELECT length(ciphertext) FROM submission WHERE handoffId = '\(invite.handoffId)' ORDER BY auditIndex DESC LIMIT 1")
        #expect((Int(sealedSize) ?? 1000) < 300, "the Step 10 box is small: \(sealedSize) bytes at rest")
        let before = try Data(contentsOf: Self.pulledFolder(scenario).appendingPathComponent("\(invite.handoffId).json"))
        let pull = try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", Self.pulledFolder(scenario).path, "--json"], token: scenario.generatorToken)
        #expect(pull.status == 0, "\(pull.standardError)")
        let entry = try #require(try JSONParser.parse(pull.standardOutput).objectValue?["pulled"]?.arrayValue?.first?.objectValue)
        #expect(entry["kind"] == "teams-app-object-id" && entry["teamsAppObjectId"]?.stringValue == objectId.lowercased(), "\(pull.standardOutput)")
        var merged = try #require(try JSONParser.parse(Array(try Data(contentsOf: Self.pulledFolder(scenario).appendingPathComponent("\(invite.handoffId).json")))).objectValue)
        #expect(merged.removeValue(forKey: "teamsAppObjectId") == .string(objectId.lowercased()), "the Object ID is merged into the values")
        #expect(JSONValue.object(merged) == (try JSONParser.parse(Array(before))), "every other value is the full submission's")
        #expect(try await server.handoff(["ack", invite.handoffId], token: scenario.generatorToken).status == 0)
        let done = try await server.handoff(["status", "--invite-file", invite.file])
        #expect(done.standardOutput.contains("your part of the setup is done") && !done.standardOutput.contains("Step 8"), "\(done.standardOutput)")

        // A generator pulling into a folder without the values gets a clear refusal for that handoff.
        _ = try await server.handoff(["submit", "--object-id", objectId, "--invite-file", invite.file])
        let elsewhere = try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", server.directory.appendingPathComponent("elsewhere").path],
                                                 token: scenario.generatorToken)
        #expect(elsewhere.status == 76 && elsewhere.standardError.contains("Object ID alone (Step 10)"), "\(elsewhere.standardError)")
    }

    @Test("A compromised server cannot get a package past fetch: tampered, another key, another handoff, another client ID, an older submission, v1, a zip bomb")
    func hostileServer() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let (invite, _) = try await Self.pulled(scenario)
        let keyId = try #require(try await server.sql("SELECT id FROM recipientKey WHERE active = 1").split(separator: "\n").first.map(String.init))
        // The real vault's receipts, which the hostile one shows as they are.
        let summary = server.directory.appendingPathComponent("summary.json")
        try await TestHTTP.with(caFile: server.caFile) { http in
            let token = try InviteCode(decoding: invite.code).token.withText { $0 }
            let shown = try #require(try await http.send("GET", server.url + "/v1/handoffs/\(invite.handoffId)", token: token).json)
            try Data(CanonicalJSON.encode(shown)).write(to: summary)
        }
        for (mode, expected) in [
            ("valid", Int32(0)), ("tampered", 76), ("other-key", 76), ("other-handoff", 76), ("other-client", 76), ("old-submission", 76),
            ("version-1", 76), ("bomb", 76),
        ] {
            let hostile = try ProcessRunner.startPython([
                TestPaths.repository.appendingPathComponent("Tests/Tools/hostile_package_vault.py").path, server.directory.path, mode,
                invite.handoffId, scenario.generatorKey, keyId, Self.clientId, summary.path,
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
            let submission = try String(contentsOf: Self.pulledFolder(scenario).appendingPathComponent("\(invite.handoffId).submission"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            func sign(_ zip: [UInt8], with key: SigningKeyPair) throws -> JSONValue {
                .string(try PackageSignature.sign(zip: zip, handoffId: invite.handoffId, submissionId: submission, sequence: 1, recipientKeyId: keyId, with: key))
            }
            let big = bytes + [UInt8](repeating: 0, count: 1024 * 1024)
            let tooLarge = try await http.send("PUT", path, token: scenario.generatorToken, body: [
                "package": .string(Base64.encode(big)),
                "signature": try sign(big, with: signing),
            ])
            #expect(tooLarge.status == 413)
            let notZip = Array("not a zip at all, just text".utf8)
            let refused = try await http.send("PUT", path, token: scenario.generatorToken, body: [
                "package": .string(Base64.encode(notZip)),
                "signature": try sign(notZip, with: signing),
            ])
            #expect(refused.status == 400)
            let otherKey = try await http.send("PUT", path, token: scenario.generatorToken, body: [
                "package": .string(Base64.encode(bytes)),
                "signature": try sign(bytes, with: try SigningKeyPair.generate()),
            ])
            #expect(otherKey.status == 422)
            // Signed by the right key, but naming a submission this handoff does not have.
            let stranger = try await http.send("PUT", path, token: scenario.generatorToken, body: [
                "package": .string(Base64.encode(bytes)),
                "signature": .string(try PackageSignature.sign(
                    zip: bytes, handoffId: invite.handoffId, submissionId: UUID().uuidString.lowercased(), sequence: 1, recipientKeyId: keyId, with: signing
                )),
            ])
            #expect(stranger.status == 422, "\(stranger.status)")
            #expect(try await server.sql("SELECT COUNT(*) FROM package") == "0")
            #expect(try await server.sql("SELECT state FROM handoff WHERE id = '\(invite.handoffId)'") == "released")
            // The CLI refuses to deliver what is not a Teams package before anything is sent.
            let text = server.directory.appendingPathComponent("notes.zip")
            try Data(notZip).write(to: text)
            let local = try await Self.deliver(scenario, invite.handoffId, text)
            #expect(local.status == 76, "\(local.standardError)")
        }
    }

    @Test("An older signed package cannot be put back: the sequence must increase (409), and a package built from an older submission is refused by fetch")
    func replay() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let (invite, zip) = try await Self.pulled(scenario)
        #expect(try await Self.deliver(scenario, invite.handoffId, zip).status == 0)
        let first = try await TestHTTP.with(caFile: server.caFile) { http in
            try await http.send("GET", server.url + "/v1/handoffs/\(invite.handoffId)/package", token: scenario.generatorToken).json
        }
        let second = try await Self.deliver(scenario, invite.handoffId, zip, json: true)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(try JSONParser.parse(second.standardOutput).objectValue?["sequence"] == .integer(2), "the next delivery is sequence 2")
        // The first delivery's exact bytes and signature, put back with only a generator token.
        let old = try #require(first?.objectValue)
        let replayed = try await TestHTTP.with(caFile: server.caFile) { http in
            try await http.send("PUT", server.url + "/v1/handoffs/\(invite.handoffId)/package", token: scenario.generatorToken,
                                body: ["package": try #require(old["package"]), "signature": try #require(old["signature"])])
        }
        #expect(replayed.status == 409, "replaying delivery 1 over delivery 2: \(replayed.status)")
        let stored = try await server.sql("SELECT signature FROM package WHERE handoffId = '\(invite.handoffId)'")
        #expect(stored.contains("\n2\n"), "delivery 2 is still the one stored")

        // Step 10 re-submits: the package built from the first submission no longer fits.
        let withObjectId = server.directory.appendingPathComponent("values-step10.json")
        let values = try String(contentsOf: URL(fileURLWithPath: Scenario.fixture("valid-minimal.json")), encoding: .utf8)
            .replacingOccurrences(of: "\n}", with: ",\n  \"teamsAppObjectId\": \"2f0c1b7e-3a4d-4c5e-9f60-718293a4b5c6\"\n}")
        try Data(values.utf8).write(to: withObjectId)
        #expect(try await server.handoff(["submit", "--values", withObjectId.path, "--invite-file", invite.file]).status == 0)
        let out = server.directory.appendingPathComponent("stale")
        let stale = try await server.handoff(["package", "fetch", "--out", out.path, "--invite-file", invite.file])
        #expect(stale.status == 76 && stale.standardError.contains("not from your latest one"), "\(stale.standardError)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []).isEmpty)
    }

    @Test("package deliver refuses a package built from another customer's values (65), and a zip bomb (76), before anything is sent")
    func deliverChecksWhatItSigns() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let (contoso, contosoZip) = try await Self.pulled(scenario, customer: "Contoso")
        let (fabrikam, _) = try await Self.pulled(scenario, customer: "Fabrikam", values: Scenario.fixture("valid-several-redirects-with-localhost.json"))
        let crossed = try await Self.deliver(scenario, fabrikam.handoffId, contosoZip)
        #expect(crossed.status == 65 && crossed.standardError.contains("this handoff's values name"), "\(crossed.standardError)")
        #expect(try await server.sql("SELECT COUNT(*) FROM package") == "0")

        // A zip whose manifest.json declares 100 bytes and inflates to 400 MB.
        let bomb = server.directory.appendingPathComponent("bomb.zip")
        let made = try await ProcessRunner.python([TestPaths.repository.appendingPathComponent("Tests/Tools/zip_bomb.py").path, bomb.path])
        try #require(made.status == 0, "\(made.standardError)")
        let refused = try await Self.deliver(scenario, contoso.handoffId, bomb)
        #expect(refused.status == 76, "\(refused.standardError)")
        #expect(refused.standardError.contains("inflates to more than") || refused.standardError.contains("does not extract"), "\(refused.standardError)")
        #expect(try await server.sql("SELECT COUNT(*) FROM package") == "0")
    }
}
