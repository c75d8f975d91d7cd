import Foundation
import HandoffDomain
import VaultCrypto

/// Where customer commands get the invite code and the values.
enum CustomerInput {
    /// The invite from `--invite-file`, `HANDOFF_INVITE`, or a prompt without echo — never argv.
    static func invite(file: String?) throws -> InviteCode {
        let text: String
        if let file {
            var bytes = try InputFile.read(file, limit: 8 * 1024)
            defer { SecretBytes.wipe(&bytes) }
            text = String(decoding: bytes, as: UTF8.self)
        } else if let environment = ProcessInfo.processInfo.environment["HANDOFF_INVITE"] {
            text = environment
        } else {
            text = try Terminal.ask("Invite code (input hidden): ", secret: true)
        }
        do {
            return try InviteCode(decoding: text)
        } catch {
            throw CLIError.usage("the invite code is not valid: check it was copied whole (it starts with hv1.)")
        }
    }

    /// The values from `--values` (a file or `-`), or asked field by field on the terminal with
    /// the connection string hidden.
    static func values(path: String?, rules: ValueRules) throws -> HandoffValues {
        if let path { return try ValuesInput.read(path, rules: rules) }
        guard Terminal.isInteractive else {
            throw CLIError.usage("give the values with --values FILE (or - for standard input)")
        }
        var members: [String: JSONValue] = [:]
        members["clientId"] = .string(try Terminal.ask("Application (client) ID: "))
        members["tenantId"] = .string(try Terminal.ask("Directory (tenant) ID: "))
        let uris = try Terminal.ask("Redirect URI(s), comma-separated: ")
        members["redirectUris"] = .array(uris.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
        members["applicationIdUri"] = .string(try Terminal.ask("Application ID URI: "))
        let scope = try Terminal.ask("Scope [access_as_user]: ")
        members["scope"] = .string(scope.isEmpty ? HandoffValues.scopeName : scope)
        members["acsConnectionString"] = .string(try Terminal.ask("ACS connection string (input hidden): ", secret: true))
        members["acsEndpoint"] = .string(try Terminal.ask("ACS endpoint: "))
        let objectId = try Terminal.ask("Teams app Object ID (Step 10; empty if not known yet): ")
        if !objectId.isEmpty { members["teamsAppObjectId"] = .string(objectId) }
        do {
            return try HandoffValues.validate(.object(members), rules: rules)
        } catch {
            throw CLIError.valuesInvalid(error, source: "your answers")
        }
    }
}
