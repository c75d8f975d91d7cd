import Foundation
import HandoffDomain
import TestSupport
import Testing

/// A running server with a registered generator key and a generator token: the state every
/// end-to-end test starts from.
final class Scenario: @unchecked Sendable {
    let server: ServerHarness
    let keyDirectory: URL
    let generatorToken: String

    var generatorKey: String { keyDirectory.appendingPathComponent("generator.key").path }

    /// `beforeStart` sees the initialised server (its key, its folder) and adds to its environment.
    init(
        serverEnvironment: [String: String] = [:], parent: URL? = nil,
        beforeStart: ((ServerHarness) async throws -> [String: String])? = nil
    ) async throws {
        server = try await ServerHarness(parent: parent)
        let more = try await beforeStart?(server) ?? [:]
        try await server.start(extraEnvironment: serverEnvironment.merging(more) { $1 })
        keyDirectory = server.directory.appendingPathComponent("generator")
        let keys = try await server.handoff(["keys", "generate", "--out", keyDirectory.path, "--json"])
        guard keys.status == 0 else { throw HarnessError("keys generate: \(keys.standardError)") }
        let recipient = try await server.handoff(["admin", "recipient", "set", "--public-key", keyDirectory.appendingPathComponent("generator.pub").path], token: server.adminToken)
        guard recipient.status == 0 else { throw HarnessError("recipient set: \(recipient.standardError)") }
        let token = try await server.handoff(["admin", "token", "create", "--role", "generator", "--name", "test generator", "--json"], token: server.adminToken)
        guard token.status == 0, let object = try? JSONParser.parse(token.standardOutput).objectValue, let text = object["token"]?.stringValue else {
            throw HarnessError("token create: \(token.standardError)")
        }
        generatorToken = text
    }

    /// A token of another role, made by the admin.
    func token(role: String) async throws -> String {
        let result = try await server.handoff(["admin", "token", "create", "--role", role, "--name", "test \(role)", "--json"], token: server.adminToken)
        guard let text = try? JSONParser.parse(result.standardOutput).objectValue?["token"]?.stringValue else {
            throw HarnessError("token create: \(result.standardError)")
        }
        return text
    }

    /// A new handoff: its id, invite code and an invite file (0600) holding the code.
    func invite(customer: String = "Contoso", expires: String = "14d") async throws -> (handoffId: String, code: String, file: String) {
        let result = try await server.handoff(["admin", "invite", "--customer", customer, "--expires", expires, "--json"], token: server.adminToken)
        guard result.status == 0, let object = try? JSONParser.parse(result.standardOutput).objectValue,
              let id = object["handoffId"]?.stringValue, let code = object["inviteCode"]?.stringValue
        else { throw HarnessError("invite: \(result.standardError)") }
        let file = server.directory.appendingPathComponent("invite-\(id).txt")
        try Data((code + "\n").utf8).write(to: file)
        return (id, code, file.path)
    }

    static func fixture(_ name: String) -> String {
        TestPaths.valuesFixtures.appendingPathComponent(name).path
    }
}
