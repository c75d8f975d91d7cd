import ArgumentParser
import Foundation
import HandoffDomain
import VaultClient
import VaultCrypto

/// `handoff audit`: export and verify the tamper-evident log.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Export the audit log and verify it offline.",
        subcommands: [AuditExportCommand.self, AuditVerifyCommand.self]
    )
}

/// `handoff audit export`: events and the latest signed checkpoint as JSON lines.
struct AuditExportCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the audit events and a signed checkpoint covering them (auditor or admin token).",
        discussion: """
            Every line but the last is one event's canonical bytes exactly as hashed, in index order; the \
            last is {"checkpoint": "<signed note>"}. Keep each export's checkpoint: it lets a later \
            verify prove the log only grew. --after N starts at event N (append it to an earlier export).

            Example:
              HANDOFF_TOKEN=… handoff audit export --out audit-2026-11-26.jsonl
            """
    )

    @Option(help: ArgumentHelp("Start at event index N (default 0).", valueName: "n"))
    var after: Int64 = 0

    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var out: String?

    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        let (checkpoint, events) = try await global.withAPIClient { client in
            // The checkpoint first: then exactly the events it covers are fetched.
            let checkpoint = try await client.checkpoint()
            var events: [[UInt8]] = []
            var next = after
            // Written as the server sends them: gaps and disorder are for `audit verify` to name.
            while next < checkpoint.treeSize {
                let page = try await client.auditEvents(after: next, limit: 1000)
                guard let last = page.events.last else { break }
                events += page.events.filter { $0.index < checkpoint.treeSize }.map(\.bytes)
                next = max(next + 1, last.index + 1)
            }
            return (checkpoint, events)
        }
        let bytes = AuditExport.render(events: events, checkpointNote: checkpoint.note)
        if let out {
            try OutputFile.writePrivate(bytes, to: out)
            Console.error("wrote \(events.count) events and the checkpoint for \(checkpoint.treeSize) to \(out)")
        } else {
            FileHandle.standardOutput.write(Data(bytes))
        }
    }
}

/// `handoff audit verify`: offline, with nothing but the server's public key.
struct AuditVerifyCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify an export offline: every leaf, the root, the signature, and that the log only grew.",
        discussion: """
            --public-key is the server key (handoffd init prints it; invites carry it), in base64 or a \
            file. Each --previous-checkpoint is an earlier export or checkpoint note you kept. With \
            --witness (a witness's verifier key, repeatable) the checkpoint must carry valid C2SP \
            cosignatures from at least --quorum of them (default: all given). Two checkpoints of one \
            size with different roots are reported as a fork, with both roots. Exit 0, or 76 naming \
            the first failing index and the reason.

            Example:
              handoff audit verify --file audit.jsonl --public-key server.pub --previous-checkpoint audit-last-week.jsonl
              handoff audit verify --file audit.jsonl --public-key server.pub --witness "$W1" --witness "$W2" --quorum 2
            """
    )

    @Option(help: ArgumentHelp("The export file.", valueName: "file"))
    var file: String

    @Option(name: .customLong("public-key"), help: ArgumentHelp("The server's Ed25519 key, base64 or a file.", valueName: "key"))
    var publicKey: String

    @Option(name: .customLong("previous-checkpoint"), help: ArgumentHelp("An earlier export or checkpoint note (repeatable).", valueName: "file"))
    var previousCheckpoints: [String] = []

    @Option(name: .customLong("witness"), help: ArgumentHelp("A witness's verifier key, <name>+<key ID>+<key> (repeatable).", valueName: "vkey"))
    var witnessKeys: [String] = []

    @Option(help: ArgumentHelp("How many of the witnesses given must have cosigned the checkpoint (default: all).", valueName: "k"))
    var quorum: Int?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let quorum, quorum < 1 || quorum > witnessKeys.count {
            throw ValidationError("--quorum must be between 1 and the number of --witness keys given (\(witnessKeys.count))")
        }
    }

    func execute() async throws {
        let witnesses: [WitnessKey]
        do {
            witnesses = try witnessKeys.map { text throws(FormatError) in try WitnessKey(verifierKey: text) }
        } catch {
            throw CLIError.usage("--witness: \(error.reason)")
        }
        var keyText = publicKey
        if FileManager.default.fileExists(atPath: publicKey) {
            keyText = String(decoding: try InputFile.read(publicKey, limit: 1024), as: UTF8.self)
        }
        guard let keyBytes = try? Base64.decode(keyText.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = try? SigningPublicKey(bytes: keyBytes)
        else { throw CLIError.usage("--public-key must be base64 of a 32-byte Ed25519 key, or a file with one") }
        let export = try InputFile.read(file, limit: 1 << 31)
        let earlier = try previousCheckpoints.map { path in
            let bytes = try InputFile.read(path, limit: 1 << 31)
            return AuditExport.checkpointNote(inExport: bytes) ?? String(decoding: bytes, as: UTF8.self)
        }
        let result: AuditVerification
        do {
            result = try AuditVerifier.verify(
                export: export, publicKey: key, previousCheckpoints: earlier, witnesses: witnesses, quorum: quorum ?? witnesses.count
            )
        } catch {
            if global.json {
                Console.json(["valid": false, "index": .integer(error.index), "reason": .string(error.reason)])
                throw ExitCode(ExitStatus.protocolFailure.rawValue)
            }
            throw CLIError.verification(error.description)
        }
        let root = Base64.encode(result.checkpoint.rootHash)
        if global.json {
            Console.json([
                "valid": true, "treeSize": .integer(result.checkpoint.size), "rootHash": .string(root),
                "origin": .string(result.checkpoint.origin), "consistentWith": .array(result.consistentWith.map { .integer($0.size) }),
                "cosignedBy": .array(result.cosignedBy.map(JSONValue.string)),
            ])
        } else {
            Console.out("ok: \(result.checkpoint.size) events hash to \(root), signed by \(result.checkpoint.origin)" +
                (result.consistentWith.isEmpty ? "" : "; the log extends the \(result.consistentWith.count) earlier checkpoint(s) given") +
                (result.cosignedBy.isEmpty ? "" : "; cosigned by \(result.cosignedBy.joined(separator: ", "))"))
        }
    }
}
