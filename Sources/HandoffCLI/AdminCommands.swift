import ArgumentParser
import Foundation
import HandoffDomain
import VaultClient
import VaultCrypto

/// `handoff admin`: the operator's commands.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Invites, tokens and the generator key (admin token).",
        subcommands: [AdminInviteCommand.self, AdminTokenCommand.self, AdminRecipientCommand.self]
    )
}

/// `handoff admin invite`: a new handoff and its invite code.
struct AdminInviteCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "invite",
        abstract: "Create a handoff for a customer and print its invite code (a credential: send it out of band).",
        discussion: """
            Example:
              HANDOFF_TOKEN=… handoff admin invite --customer "Contoso" --expires 14d --server https://vault.example
            """
    )

    @Option(help: ArgumentHelp("The customer's name.", valueName: "name"))
    var customer: String

    @Option(help: ArgumentHelp("How long the invite is valid: 14d, 36h, 90m.", valueName: "duration"))
    var expires = "14d"

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard Timestamp.duration(expires) != nil else { throw ValidationError("--expires must be like 14d, 36h or 90m (1 minute to 365 days)") }
    }

    func execute() async throws {
        let created = try await global.withAPIClient { client in try await client.createHandoff(customer: customer, expiresIn: expires) }
        if global.json {
            Console.out(CanonicalJSON.string([
                "handoffId": .string(created.handoffId), "inviteCode": .string(created.inviteCode), "expiresAt": .string(created.expiresAt),
            ]))
        } else {
            Console.out("handoff \(created.handoffId) for \(customer), invite expires \(created.expiresAt)")
            Console.out("invite code (a credential: send it to the customer's admin out of band):")
            Console.out(created.inviteCode)
        }
    }
}

/// `handoff admin token`.
struct AdminTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Role tokens.", subcommands: [AdminTokenCreateCommand.self])
}

/// `handoff admin token create`: a generator, auditor or admin token, printed once.
struct AdminTokenCreateCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a generator, auditor or admin token; it is shown once.",
        discussion: """
            Example:
              HANDOFF_TOKEN=… handoff admin token create --role generator --name "package generator" > generator.token
            """
    )

    @Option(help: ArgumentHelp("generator, auditor or admin.", valueName: "role"))
    var role: String

    @Option(help: ArgumentHelp("A name to recognise the token by.", valueName: "name"))
    var name: String

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard ["generator", "auditor", "admin"].contains(role) else { throw ValidationError("--role must be generator, auditor or admin") }
    }

    func execute() async throws {
        let issued = try await global.withAPIClient { client in try await client.createToken(role: role, name: name) }
        if global.json {
            Console.out(CanonicalJSON.string(["id": .string(issued.id), "token": .string(issued.token), "role": .string(issued.role)]))
        } else {
            Console.error("\(issued.role) token \(issued.id) created; it is shown once:")
            Console.out(issued.token)
        }
    }
}

/// `handoff admin recipient`.
struct AdminRecipientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recipient", abstract: "The generator's public key.", subcommands: [AdminRecipientSetCommand.self])
}

/// `handoff admin recipient set`: registers the generator's public key for new invites.
struct AdminRecipientSetCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Register the generator's public key; new invites pin it.",
        discussion: """
            Example:
              HANDOFF_TOKEN=… handoff admin recipient set --public-key generator.pub --server https://vault.example
            """
    )

    @Option(name: .customLong("public-key"), help: ArgumentHelp("The key in base64, or a file holding it (generator.pub).", valueName: "key"))
    var publicKey: String

    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        var text = publicKey
        if FileManager.default.fileExists(atPath: publicKey) {
            text = String(decoding: try InputFile.read(publicKey, limit: 1024), as: UTF8.self)
        }
        guard let bytes = try? Base64.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), let key = try? SealingPublicKey(bytes: bytes) else {
            throw CLIError.usage("--public-key must be base64 of a 32-byte X25519 key, or a file with one (generator.pub)")
        }
        let keyId = try await global.withAPIClient { client in try await client.setRecipient(key) }
        global.json ? Console.out(CanonicalJSON.string(["keyId": .string(keyId)])) : Console.out("generator key \(keyId) registered; new invites pin it")
    }
}
