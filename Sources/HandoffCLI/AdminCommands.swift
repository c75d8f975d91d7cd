import ArgumentParser
import Foundation
import HandoffDomain
import VaultClient
import VaultCrypto

/// `handoff admin`: the operator's commands.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Invites, tokens and the generator key (admin token).",
        subcommands: [AdminInviteCommand.self, AdminRevokeCommand.self, AdminTokenCommand.self, AdminRecipientCommand.self, AdminWebhookCommand.self]
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
    var expires = Lifetime("14d")!

    @Option(name: .customLong("tenant-proof"), help: ArgumentHelp("Ask the admin to Sign in with Microsoft: required (never sent without) or optional (needs entra_client_id on the server).", valueName: "required|optional"))
    var tenantProof: TenantProofPolicy?

    @Option(help: ArgumentHelp("Pin the customer's Directory (tenant) ID: the sign-in must be in this tenant.", valueName: "guid"))
    var tenant: String?

    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        if let tenant, !HandoffValues.isGUID(tenant) { throw CLIError.usage("--tenant must be the customer's Directory (tenant) ID, a GUID") }
        let created = try await global.withAPIClient { client in
            try await client.createHandoff(customer: customer, expiresIn: expires.text, tenantProof: tenantProof, tenantId: tenant?.lowercased())
        }
        if global.json {
            Console.json(created.json)
        } else {
            Console.out("handoff \(created.handoffId) for \(customer), invite expires \(Timestamp.string(created.expiresAt))")
            Console.out("invite code (a credential: send it to the customer's admin out of band):")
            Console.out(created.inviteCode)
            if let invite = try? InviteCode(decoding: created.inviteCode) {
                Console.error("the customer pastes it at \(invite.server)/ (the web page), or uses handoff submit")
            }
        }
    }
}

/// `handoff admin token`.
struct AdminTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Role tokens.", subcommands: [AdminTokenCreateCommand.self, AdminTokenListCommand.self, AdminTokenRevokeCommand.self]
    )
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
    var role: Role

    @Option(help: ArgumentHelp("A name to recognise the token by.", valueName: "name"))
    var name: String

    @Option(help: ArgumentHelp("How long the token works: 90d, 36h, 90m (default: until revoked).", valueName: "duration"))
    var expires: Lifetime?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard role != .customer else { throw ValidationError("--role must be generator, auditor or admin") }
    }

    func execute() async throws {
        let issued = try await global.withAPIClient { client in try await client.createToken(role: role, name: name, expiresIn: expires?.text) }
        if global.json {
            Console.json(issued.json)
        } else {
            Console.error("\(issued.role.rawValue) token \(issued.id) created\(issued.expiresAt.map { ", expires \(Timestamp.string($0))" } ?? ""); it is shown once:")
            issued.token.withText { Console.out($0) }
        }
    }
}

/// `handoff admin token list`: every role token, never a token value.
struct AdminTokenListCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List role tokens: id, role, name, created, expiry and revocation (never the token).",
        discussion: """
            Example:
              handoff admin token list --token-file admin.token --json
            """
    )

    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        let tokens = try await global.withAPIClient { client in try await client.tokens() }
        if global.json {
            Console.json(TokenList(tokens).json)
        } else {
            for token in tokens {
                let status = token.revokedAt.map { "revoked \(Timestamp.string($0))" } ?? token.expiresAt.map { "expires \(Timestamp.string($0))" } ?? "active"
                Console.out("\(token.id)  \(token.role.rawValue)  created \(Timestamp.string(token.createdAt))  \(status)  \(token.name)")
            }
        }
    }
}

/// `handoff admin token revoke ID`: the token stops working at once.
struct AdminTokenRevokeCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a role token by its id (handoff admin token list); the last active admin token cannot be revoked.",
        discussion: """
            Example:
              handoff admin token revoke tok_1a2b3c4d5e6f7a8b --token-file admin.token
            """
    )

    @Argument(help: ArgumentHelp("The token's id (tok_…).", valueName: "token-id"))
    var tokenId: String

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard tokenId.hasPrefix("tok_"), tokenId.utf8.count <= 40, tokenId.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }) else {
            throw ValidationError("a token id looks like tok_1a2b3c4d5e6f7a8b (see handoff admin token list)")
        }
    }

    func execute() async throws {
        try await global.withAPIClient { client in try await client.revokeToken(tokenId) }
        global.json ? Console.json(["id": .string(tokenId), "revoked": true]) : Console.out("revoked \(tokenId)")
    }
}

/// `handoff admin revoke HANDOFF_ID`: the invite stops working and the sealed data is purged.
struct AdminRevokeCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a handoff: its invite stops working and its sealed data is destroyed (audited).",
        discussion: """
            Example:
              handoff admin revoke 5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77 --token-file admin.token
            """
    )

    @Argument(help: ArgumentHelp("The handoff id.", valueName: "handoff-id"))
    var handoffId: String

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try HandoffIdArgument.check(handoffId)
    }

    func execute() async throws {
        let id = handoffId.lowercased()
        try await global.withAPIClient { client in try await client.revokeHandoff(id) }
        global.json ? Console.json(["handoffId": .string(id), "state": "revoked"]) : Console.out("revoked \(id); its invite no longer works and its sealed data is destroyed")
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

    @Option(name: .customLong("public-key"), help: ArgumentHelp("generator.pub from handoff keys generate (or a bare base64 X25519 key: then packages cannot be delivered).", valueName: "file"))
    var publicKey: String

    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        var text = publicKey
        if FileManager.default.fileExists(atPath: publicKey) {
            text = String(decoding: try InputFile.read(publicKey, limit: 4096), as: UTF8.self)
        }
        let keys: GeneratorPublicKeys
        do {
            keys = try GeneratorPublicKeys(decoding: text)
        } catch {
            throw CLIError.usage("--public-key must be generator.pub from handoff keys generate, or base64 of a 32-byte X25519 key")
        }
        let keyId = try await global.withAPIClient { client in try await client.setRecipient(keys) }.keyId
        if global.json {
            Console.json(["keyId": .string(keyId), "signs": .bool(keys.signing != nil)])
        } else {
            Console.out("generator key \(keyId) registered; new invites pin it")
            if keys.signing == nil { Console.error("no package signing key given: packages cannot be delivered under this key (use generator.pub from handoff keys generate)") }
        }
    }
}
