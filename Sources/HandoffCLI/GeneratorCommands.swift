import ArgumentParser
import Foundation
import HandoffDomain
import SignIn
import TeamsPackage
import VaultClient
import VaultCrypto

/// `handoff keys`: the generator's key pair.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage the package generator's key pair.", subcommands: [KeysGenerateCommand.self]
    )
}

/// `handoff keys generate`: DIR/generator.key (0600) and DIR/generator.pub.
struct KeysGenerateCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Make the generator's key pairs (X25519 to open values, Ed25519 to sign packages); the secret keys never leave this machine.",
        discussion: """
            Example:
              handoff keys generate --out ~/.handoff
              handoff admin recipient set --public-key ~/.handoff/generator.pub   # run by the admin
            """
    )

    @Option(help: ArgumentHelp("Folder for generator.key and generator.pub.", valueName: "dir"))
    var out: String

    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        try OutputFile.makePrivateDirectory(out)
        let keys = try GeneratorKeys.generate()
        var file = try GeneratorKeyFile.encode(keys).withUnsafeBytes { Array($0) }
        defer { SecretBytes.wipe(&file) }
        try OutputFile.writePrivate(file, to: "\(out)/generator.key", exclusive: true)
        try OutputFile.writePrivate(Array(keys.publicKeys.encoded().utf8), to: "\(out)/generator.pub")
        chmod("\(out)/generator.pub", 0o644)
        let publicKey = Base64.encode(keys.sealing.publicKey.bytes)
        let signingKey = keys.signing.map { Base64.encode($0.publicKey.bytes) } ?? ""
        if global.json {
            Console.json([
                "publicKey": .string(publicKey), "signingPublicKey": .string(signingKey), "keyId": .string(keys.sealing.publicKey.keyId),
            ])
        } else {
            Console.out("wrote \(out)/generator.key (secret, 0600) and \(out)/generator.pub (give this one to the vault's admin)")
            Console.out("sealing key \(keys.sealing.publicKey.keyId): \(publicKey)")
            Console.out("package signing key: \(signingKey)")
        }
    }
}

/// `handoff pull`: fetch, open, check and write every handoff waiting for the generator.
struct PullCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch and open every submitted handoff; write DIR/<handoffId>.json and .submission (0600).",
        discussion: """
            Each sealed box is opened with the generator key, its handoff id checked against the one \
            it was fetched for, and its values validated again before anything is written. With \
            --package-out the Teams app package is built at once.

            A tenant proof (the admin's Sign in with Microsoft, sealed with the values) is checked \
            when --entra-client-id is given: RS256 by a key of the authority (or --jwks-file), \
            issuer, audience, the values' tenant, the invite's pinned tenant, no personal account, \
            no guest, its nonce and time. The result is written beside the values \
            (DIR/<handoffId>.tenant-proof.json); with --require-tenant-proof values without a valid \
            proof are not written (exit 76; the other handoffs are still pulled), and no package is \
            built from values whose proof was refused.

            Example:
              HANDOFF_TOKEN=… handoff pull --server https://vault.example --key ~/.handoff/generator.key --out ./pulled --package-out ./packages
              for zip in packages/*.zip; do handoff package deliver "$(basename "$zip" .zip)" --package "$zip" --pulled ./pulled --key ~/.handoff/generator.key; done
            """
    )

    @Option(help: ArgumentHelp("A generator key file; repeat it during a key rotation (each box opens with the key it was sealed to).", valueName: "file"))
    var key: [String]

    @Option(help: ArgumentHelp("Folder for the opened values.", valueName: "dir"))
    var out: String

    @Option(name: .customLong("package-out"), help: ArgumentHelp("Also build each Teams app package into this folder.", valueName: "dir"))
    var packageOut: String?

    @OptionGroup var tenantProof: TenantProofOptions

    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        let puller = try HandoffPuller(out: out, keyFiles: key, tenantProof: tenantProof, caFile: global.caFile)
        try OutputFile.makePrivateDirectory(out)
        if let packageOut { try OutputFile.makePrivateDirectory(packageOut) }

        let (pulled, failures) = try await global.withAPIClient { client in
            var pulled: [JSONValue] = []
            var failures: [String] = []
            let waiting = try await client.handoffs().filter { $0.state.awaitsGenerator }
            for (position, handoff) in waiting.enumerated() {
                if Terminal.isInteractive && !global.json { Console.error("[\(position + 1)/\(waiting.count)] \(handoff.id)") }
                do {
                    pulled.append(try await pull(handoff, client: client, puller: puller))
                } catch let error as ClientError where [.notAuthenticated, .notAllowed, .rateLimited].contains(error.code) {
                    throw error  // the credential, not this handoff: the others would fail alike
                } catch {
                    failures.append("\(handoff.id): \(CLIError.from(error).message)")
                }
            }
            return (pulled, failures)
        }
        if global.json {
            Console.json(["pulled": .array(pulled), "failed": .array(failures.map(JSONValue.string))])
        } else {
            Console.out("pulled \(pulled.count) handoff(s) into \(out)")
        }
        if !failures.isEmpty {
            throw CLIError.verification("\(failures.count) handoff(s) were refused:\n  " + failures.joined(separator: "\n  "))
        }
    }

    private func pull(_ handoff: HandoffSummary, client: VaultClient, puller: HandoffPuller) async throws -> JSONValue {
        let pulled = try await puller.pull(handoff, client: client)
        var entry: [String: JSONValue] = [
            "handoffId": .string(handoff.id), "customer": .string(handoff.customer), "submissionId": .string(pulled.submissionId), "file": .string(pulled.file),
        ]
        switch pulled.content {
        case .objectId(let step10):
            entry["kind"] = .string(ObjectIdPayload.kind)
            entry["teamsAppObjectId"] = .string(step10.teamsAppObjectId)
            if !global.json {
                Console.out("  \(handoff.id) (\(handoff.customer)): Teams app Object ID \(step10.teamsAppObjectId) (Step 10) added to \(pulled.file)")
            }
        case .values(let values, let report):
            entry["tenantProof"] = report.json
            if let packageOut, report.allowsBuilding {
                let package = try TeamsAppPackage.build(values: values, options: PackageOptions())
                let zip = "\(packageOut)/\(handoff.id).zip"
                try package.write(to: URL(fileURLWithPath: zip))
                entry["package"] = .string(zip)
                entry["appId"] = .string(package.appId)
            }
            if !global.json {
                Console.out("  \(handoff.id) (\(handoff.customer)) → \(pulled.file)\(entry["package"].flatMap(\.stringValue).map { " and \($0)" } ?? "")")
                Console.out("    \(report.text)")
            }
        }
        return .object(entry)
    }
}

/// `handoff ack`: the package for a handoff was built.
struct AckCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Tell the server the Teams package was built; starts the retention clock.",
        discussion: """
            Example:
              HANDOFF_TOKEN=… handoff ack 5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77 --server https://vault.example
            """
    )

    @Argument(help: ArgumentHelp("The handoff id.", valueName: "handoff-id"))
    var handoffId: String

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try HandoffIdArgument.check(handoffId)
    }

    func execute() async throws {
        try await global.withAPIClient { client in try await client.acknowledge(handoffId: handoffId.lowercased()) }
        global.json ? Console.json(["handoffId": .string(handoffId), "state": "acknowledged"])
            : Console.out("acknowledged \(handoffId)")
    }
}
