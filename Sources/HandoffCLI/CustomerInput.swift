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
    /// the connection string hidden; after a wrong answer only the fields with problems are asked
    /// again. Answers are trimmed as files are (the domain's rules do it for both).
    static func values(path: String?, rules: ValueRules) throws -> HandoffValues {
        if let path { return try ValuesInput.read(path, rules: rules) }
        guard Terminal.isInteractive else {
            throw CLIError.usage("give the values with --values FILE (or - for standard input)")
        }
        var members: [String: JSONValue] = [:]
        var asking = Prompt.allCases
        for _ in 1...5 {
            for prompt in asking { try prompt.ask(into: &members) }
            do {
                return try HandoffValues.validate(.object(members), rules: rules)
            } catch {
                for problem in error.problems {
                    Console.error("  \(problem.field): \(problem.message)\n    fix: \(problem.hint)")
                }
                let wrong = Set(error.problems.map(\.field))
                asking = Prompt.allCases.filter { wrong.contains($0.field.rawValue) }
                guard !asking.isEmpty else { throw CLIError.valuesInvalid(error, source: "your answers") }
                Console.error("Please answer again the \(asking.count == 1 ? "question" : "\(asking.count) questions") with problems:")
            }
        }
        throw CLIError.usage("the values still have problems after five tries; put them in a values.json file and run handoff validate --values values.json")
    }

    /// One question per field, in the order of the Azure portal pages.
    enum Prompt: CaseIterable {
        case clientId, tenantId, redirectUris, applicationIdUri, scope, acsConnectionString, acsEndpoint, teamsAppObjectId

        var field: ValueField {
            switch self {
            case .clientId: .clientId
            case .tenantId: .tenantId
            case .redirectUris: .redirectUris
            case .applicationIdUri: .applicationIdUri
            case .scope: .scope
            case .acsConnectionString: .acsConnectionString
            case .acsEndpoint: .acsEndpoint
            case .teamsAppObjectId: .teamsAppObjectId
            }
        }

        func ask(into members: inout [String: JSONValue]) throws {
            let key = field.rawValue
            let answer: String
            switch self {
            case .clientId: answer = try Terminal.ask("Application (client) ID (App registration → Overview): ")
            case .tenantId: answer = try Terminal.ask("Directory (tenant) ID (App registration → Overview): ")
            case .redirectUris: answer = try Terminal.ask("Redirect URI(s), comma-separated (App registration → Authentication): ")
            case .applicationIdUri: answer = try Terminal.ask("Application ID URI (App registration → Expose an API): ")
            case .scope: answer = try Terminal.ask("Scope [access_as_user]: ")
            case .acsConnectionString: answer = try Terminal.ask("Communication Services connection string (Communication Services resource → Keys; input hidden): ", secret: true)
            case .acsEndpoint: answer = try Terminal.ask("Communication Services endpoint (Communication Services resource → Keys): ")
            case .teamsAppObjectId: answer = try Terminal.ask("Teams app Object ID (Step 10; empty if not known yet): ")
            }
            switch self {
            case .redirectUris: members[key] = .array(answer.split(separator: ",").map { .string(String($0)) })
            case .scope: members[key] = .string(answer.isEmpty ? HandoffValues.scopeName : answer)
            case .teamsAppObjectId: members[key] = answer.isEmpty ? nil : .string(answer)
            default: members[key] = .string(answer)
            }
        }
    }
}
