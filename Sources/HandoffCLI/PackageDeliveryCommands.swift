import ArgumentParser
import Foundation
import HandoffDomain
import TeamsPackage
import VaultClient
import VaultCrypto

/// `handoff package deliver`: the generator signs a built package and hands it to the customer
/// through the vault.
struct PackageDeliverCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Sign a built Teams package with the generator key and deliver it to the customer (Step 8 → 9).",
        discussion: """
            The signature (package v2) covers the zip's exact bytes, the handoff id, the submission the \
            package was built from and the delivery's sequence; the customer's CLI and page check it \
            against the generator signing key pinned in their invite, so no server can swap the \
            package or put an older one back. Before signing, the package's webApplicationInfo is \
            compared with the values handoff pull wrote for this handoff: a package built from another \
            customer's values is refused (65).

            Example:
              handoff package deliver 5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77 --package packages/5b0c2a8e-….zip --pulled ./pulled --key ~/.handoff/generator.key
            """
    )

    @Argument(help: ArgumentHelp("The handoff id.", valueName: "handoff-id"))
    var handoffId: String

    @Option(help: ArgumentHelp("The Teams app package (handoff package build or pull --package-out).", valueName: "app.zip"))
    var package: String

    @Option(help: ArgumentHelp("The folder handoff pull wrote this handoff's values (and the submission they came from) into.", valueName: "dir"))
    var pulled: String

    @Option(help: ArgumentHelp("The generator key file (version 2, from handoff keys generate).", valueName: "file"))
    var key: String

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try HandoffIdArgument.check(handoffId)
    }

    func execute() async throws {
        let id = handoffId.lowercased()
        let keys = try GeneratorKeyFile.read(key)
        guard let signing = keys.signing else {
            throw CLIError.usage("\(key) has no package signing key (a version 1 key file); make new keys with handoff keys generate and register generator.pub")
        }
        let zip = try InputFile.read(package, limit: 1024 * 1024)
        let source = try PulledHandoff.read(folder: pulled, handoffId: id)
        let sequence = try await global.withAPIClient { client in
            try await Self.deliver(zip, handoffId: id, source: source, keys: keys, signing: signing, client: client)
        }
        let digest = Base64.encode(try SHA256.hash(zip))
        global.json
            ? Console.json([
                "handoffId": .string(id), "sha256": .string(digest), "size": .integer(Int64(zip.count)),
                "submissionId": .string(source.submissionId), "sequence": .integer(sequence),
            ])
            : Console.out("delivered the signed package for \(id) (delivery \(sequence), built from submission \(source.submissionId); \(zip.count) bytes, SHA-256 \(digest)); the customer fetches it with handoff package fetch")
    }

    /// Checks `zip` against the values pulled for the handoff, signs it (package v2) with the
    /// next sequence and delivers it; returns the sequence.
    static func deliver(
        _ zip: [UInt8], handoffId: String, source: PulledHandoff, keys: GeneratorKeys, signing: SigningKeyPair, client: VaultClient
    ) async throws -> Int64 {
        try source.check(try TeamsAppPackage.inspect(Data(zip)))
        let sequence = (try await currentDelivery(client: client, handoffId: handoffId, signingKey: signing.publicKey)?.sequence ?? 0) + 1
        let signature = try PackageSignature.sign(
            zip: zip, handoffId: handoffId, submissionId: source.submissionId, sequence: sequence, recipientKeyId: keys.sealing.publicKey.keyId, with: signing
        )
        try await client.deliverPackage(handoffId: handoffId, zip: zip, signature: signature)
        return sequence
    }

    /// The delivery the handoff holds now, as this generator's key signed it (nil: none yet).
    /// The next sequence is read from its signature, checked with this key: a server cannot make
    /// the generator sign a lower one. A delivery made before signatures named a sequence counts
    /// as sequence 0 of no submission.
    static func currentDelivery(client: VaultClient, handoffId: String, signingKey: SigningPublicKey) async throws -> (sequence: Int64, submissionId: String?)? {
        let current: DeliveredPackage
        do {
            current = try await client.package(handoffId: handoffId)
        } catch let error as ClientError where error.status == 404 {
            return nil
        }
        if PackageSignature.isVersion1(current.signature) { return (0, nil) }
        do {
            let statement = try PackageSignature.verify(current.signature, zip: current.zip, handoffId: handoffId, signingKey: signingKey)
            return (statement.sequence, statement.submissionId)
        } catch {
            throw CLIError.verification("the package the vault holds for \(handoffId) is not one this generator key signed (\(error.reason)); nothing was delivered")
        }
    }
}

/// `handoff package fetch`: the customer downloads the package and checks that the generator
/// pinned in their invite signed exactly these bytes for their handoff.
struct PackageFetchCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download your Teams app package, check Altoura's signature and contents, and save it (Step 9).",
        discussion: """
            The package is written only when the signature verifies against the generator key in \
            your invite, the zip is a Teams app package, and (with --values) it signs users in with \
            your Application (client) ID. Otherwise nothing is written and the exit status is 76.

            Example:
              handoff package fetch --out ./package --values values.json --invite-file invite.txt
            """
    )

    @Option(help: ArgumentHelp("Folder to save <handoffId>.zip in.", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Your values file: also check the package is for its client ID.", valueName: "file"))
    var values: String?

    @Option(name: .customLong("invite-file"), help: ArgumentHelp("File holding the invite code.", valueName: "file"))
    var inviteFile: String?

    @OptionGroup var global: CustomerOptions

    func execute() async throws {
        let invite = try CustomerInput.invite(file: inviteFile)
        guard let signingKey = invite.generatorSigningKey else {
            throw CLIError.verification("your invite pins no package signing key, so a package could not be checked; ask Altoura for a new invite")
        }
        let clientId = try values.map { try ValuesInput.read($0, rules: .standard).clientId }
        let fetched = try await global.withClient(server: global.serverURL(for: invite), token: invite.token) { client in
            try await client.package(handoffId: invite.handoffId)
        }
        let statement = try PackageSignature.verify(fetched.signature, zip: fetched.zip, handoffId: invite.handoffId, signingKey: signingKey)
        // The package must be built from the latest values this customer holds a receipt for.
        try statement.checkBuilt(from: try await latestReceiptedSubmission(invite))
        let inspected = try TeamsAppPackage.inspect(Data(fetched.zip))
        if let clientId, inspected.clientId.lowercased() != clientId {
            throw CLIError.verification("the package signs users in with client ID \(inspected.clientId), not your Application (client) ID \(clientId)")
        }
        try OutputFile.makePrivateDirectory(out)
        let file = "\(out)/\(invite.handoffId).zip"
        try OutputFile.writePrivate(fetched.zip, to: file)
        let digest = Base64.encode(try SHA256.hash(fetched.zip))
        if global.json {
            Console.json([
                "handoffId": .string(invite.handoffId), "file": .string(file), "sha256": .string(digest),
                "appId": .string(inspected.appId), "manifestVersion": .string(inspected.manifestVersion),
            ])
        } else {
            Console.out("Saved \(file): your Teams app package, signed by Altoura's package generator and checked\(clientId == nil ? "" : " for your client ID").")
            Console.out(NextStep.text(for: .delivered))
        }
    }

    /// The submission id of the latest receipt the server shows for this handoff whose signature
    /// verifies with the server key pinned in the invite.
    private func latestReceiptedSubmission(_ invite: InviteCode) async throws -> String {
        let summary = try await global.withClient(server: global.serverURL(for: invite), token: invite.token) { client in
            try await client.handoff(invite.handoffId)
        }
        let receipts = summary.receipts.compactMap { try? Receipt.verifySignature($0, serverKey: invite.serverKey, handoffId: invite.handoffId) }
        guard let latest = receipts.max(by: { $0.auditIndex < $1.auditIndex }) else {
            throw CLIError.verification("the vault shows no receipt signed by its key for your handoff, so the package cannot be matched to your values")
        }
        return latest.submissionId
    }
}
