import Foundation
import HandoffDomain
import TestSupport
import Testing

/// Rotating the generator key: new invites pin the new key, earlier submissions stay fetchable
/// and open with the old one.
@Suite("Generator key rotation")
struct KeyRotationTests {
    @Test("pull opens each box with the key it was sealed to, given both keys")
    func rotation() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let before = try await scenario.invite(customer: "Before")
        let newKeys = server.directory.appendingPathComponent("generator-2")
        #expect(try await server.handoff(["keys", "generate", "--out", newKeys.path]).status == 0)
        let rotated = try await server.handoff(["admin", "recipient", "set", "--public-key", newKeys.appendingPathComponent("generator.pub").path], token: server.adminToken)
        #expect(rotated.status == 0, "\(rotated.standardError)")
        let after = try await scenario.invite(customer: "After")
        #expect(try InviteCode(decoding: before.code).recipientKey != (try InviteCode(decoding: after.code).recipientKey))
        for invite in [before, after] {
            #expect(try await server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file]).status == 0)
        }

        let onlyNew = server.directory.appendingPathComponent("only-new")
        let partial = try await server.handoff(["pull", "--key", newKeys.appendingPathComponent("generator.key").path, "--out", onlyNew.path], token: scenario.generatorToken)
        #expect(partial.status == 76)
        #expect(partial.standardError.contains("\(before.handoffId): "))
        #expect(partial.standardError.contains("none of the --key files holds"))
        #expect(FileManager.default.fileExists(atPath: onlyNew.appendingPathComponent("\(after.handoffId).json").path))

        let both = server.directory.appendingPathComponent("both")
        let full = try await server.handoff(["pull", "--key", scenario.generatorKey, "--key", newKeys.appendingPathComponent("generator.key").path, "--out", both.path], token: scenario.generatorToken)
        #expect(full.status == 0, "\(full.standardError)")
        for invite in [before, after] {
            #expect(FileManager.default.fileExists(atPath: both.appendingPathComponent("\(invite.handoffId).json").path))
        }
    }
}
