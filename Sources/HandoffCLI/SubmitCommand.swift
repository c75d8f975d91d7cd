import ArgumentParser
import Foundation
import HandoffDomain
import SignIn
import VaultClient
import VaultCrypto

/// `handoff submit`: validate, seal to the generator key in the invite, upload, verify the receipt.
struct SubmitCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Validate the values, seal them on this machine, upload them and verify the receipt.",
        discussion: """
            The values are sealed to the generator key pinned in the invite, never to a key the server \
            sends; the server cannot read them. The invite code comes from --invite-file, HANDOFF_INVITE \
            or a prompt without echo. Without --values the values are asked for, the connection string \
            without echo.

            Example:
              handoff submit --values values.json --invite-file invite.txt
              HANDOFF_INVITE="$(cat invite.txt)" handoff submit --values values.json --json
              handoff submit --object-id 3f2b6c1e-8a4d-4e7b-9c1a-5d6e7f809a1b --invite-file invite.txt   (Step 10)
            """
    )

    @Option(help: ArgumentHelp("The values file, or - for standard input (omit to be asked).", valueName: "file"))
    var values: String?

    @Option(name: .customLong("invite-file"), help: ArgumentHelp("File holding the invite code.", valueName: "file"))
    var inviteFile: String?

    @Option(
        name: .customLong("object-id"),
        help: ArgumentHelp("After Step 10: send only the Teams app's Object ID; Altoura adds it to the values you sent before.", valueName: "guid")
    )
    var objectId: String?

    @Flag(name: .customLong("dry-run"), help: "Validate and seal, but do not upload.")
    var dryRun = false

    @Flag(name: .customLong("check-tenant"), help: "Before sending, read your app registration in your tenant (Microsoft Graph) and check Steps 1-4 (and 10): nothing is sent while something is wrong.")
    var checkTenant = false

    @OptionGroup var signIn: SignInOptions

    @OptionGroup var global: CustomerOptions

    func validate() throws {
        if objectId != nil, values != nil || checkTenant || signIn.signIn || signIn.useDeviceCode {
            throw ValidationError("--object-id sends the Object ID alone: leave out --values, --check-tenant and the sign-in options")
        }
    }

    func execute() async throws {
        let invite = try CustomerInput.invite(file: inviteFile)
        if let objectId { return try await ObjectIdStep(invite: invite, objectId: objectId, dryRun: dryRun, global: global).send() }
        let checked = try CustomerInput.values(path: values, rules: .standard)
        var proof: TenantProof?
        if try SignInStep.wanted(invite, signIn) || checkTenant {
            // The handoff's creation time binds a device-code sign-in (which has no nonce).
            let createdAt = try? await global.withClient(server: global.serverURL(for: invite), token: invite.token) { try await $0.handoff(invite.handoffId).createdAt }
            let signedIn = try await SignInStep.proof(
                for: invite, valuesTenantId: checked.tenantId, handoffCreatedAt: createdAt, options: signIn, caFile: global.trustedCAFile,
                readGraph: checkTenant
            )
            let who = signedIn.who
            proof = signedIn.proof
            if checkTenant {
                try await SetupStep.check(checked, invite: invite, signedIn: signedIn, caFile: global.trustedCAFile, json: global.json)
            }
            if !global.json { Console.out("Signed in as \(who.user)\(who.name.map { " (\($0))" } ?? ""), tenant \(who.tenantId): your sign-in is sealed with the values for Altoura to check.") }
        }
        let payload = SealedPayload(handoffId: invite.handoffId, sealedAt: Timestamp.string(Date()), values: checked, tenantProof: proof)
        let sealed = try payload.seal(to: invite.recipientKey)
        if dryRun {
            let output: JSONValue = [
                "handoffId": .string(invite.handoffId), "sealedBytes": .integer(Int64(sealed.count)),
                "recipientKeyId": .string(invite.recipientKey.keyId), "uploaded": false,
            ]
            global.json ? Console.json(output)
                : Console.out("Your values are valid and sealed for Altoura's package generator (key \(invite.recipientKey.keyId)). Nothing was sent (--dry-run).")
            return
        }
        let (answer, receipt, info) = try await Upload.send(sealed, invite: invite, global: global)
        let earlier = max(0, (info?.receipts.count ?? 1) - 1)
        if global.json {
            Console.json([
                "handoffId": .string(invite.handoffId), "submissionId": .string(answer.submissionId), "receipt": .string(answer.receipt),
                "receivedAt": .string(receipt.receivedAt), "auditIndex": .integer(receipt.auditIndex), "replacesEarlier": .bool(earlier > 0),
                "tenantProof": .bool(proof != nil),
            ])
            return
        }
        Console.out("Submitted: your values were sealed on this computer for Altoura's package generator and stored by the vault, which cannot read them.")
        if earlier > 0 {
            Console.out("This submission replaces your earlier one\(earlier == 1 ? "" : "s"); Altoura uses only the latest.")
        }
        Console.out("The vault's signed receipt checks out against the server key in your invite.")
        if global.verbose {
            Console.out("  handoff \(invite.handoffId), submission \(answer.submissionId), received \(receipt.receivedAt), audit log entry \(receipt.auditIndex)")
            Console.out(answer.receipt)
        }
        Console.out(info.map { NextStep.text(for: $0) } ?? NextStep.text(for: .submitted))
    }
}

/// `handoff status`: the customer's handoff state and its verified receipts.
struct StatusCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show your handoff's state and its receipts (each signature verified).",
        discussion: """
            Example:
              handoff status --invite-file invite.txt
            """
    )

    @Option(name: .customLong("invite-file"), help: ArgumentHelp("File holding the invite code.", valueName: "file"))
    var inviteFile: String?

    @OptionGroup var global: CustomerOptions

    func execute() async throws {
        let invite = try CustomerInput.invite(file: inviteFile)
        let (info, receipts) = try await global.withClient(server: global.serverURL(for: invite), token: invite.token) { client in
            let info = try await client.handoff(invite.handoffId)
            var receipts: [JSONValue] = []
            guard !info.receipts.isEmpty else { return (info, receipts) }
            let checkpoint = try await client.checkpoint()
            let signed = try AuditCheckpoint.verify(checkpoint.note, publicKey: invite.serverKey)
            for note in info.receipts {
                let receipt = try Receipt.verifySignature(note, serverKey: invite.serverKey, handoffId: invite.handoffId)
                try await Self.verifyInLog(receipt, checkpoint: signed, client: client)
                receipts.append([
                    "submissionId": .string(receipt.submissionId), "receivedAt": .string(receipt.receivedAt),
                    "auditIndex": .integer(receipt.auditIndex), "receipt": .string(note),
                ])
            }
            return (info, receipts)
        }
        if global.json {
            var answer: [String: JSONValue] = [
                "handoffId": .string(info.id), "state": .string(info.state.rawValue), "expiresAt": .string(Timestamp.string(info.expiresAt)), "receipts": .array(receipts),
                "nextStep": .string(NextStep.text(for: info)), "packageDelivered": .bool(info.packageDelivered),
            ]
            if let pickedUpAt = info.pickedUpAt { answer["pickedUpAt"] = .string(Timestamp.string(pickedUpAt)) }
            if let deliveredAt = info.deliveredAt { answer["deliveredAt"] = .string(Timestamp.string(deliveredAt)) }
            Console.json(.object(answer))
        } else {
            Console.out(NextStep.text(for: info))
            if let pickedUpAt = info.pickedUpAt { Console.out("Altoura's package generator picked up your latest values at \(Timestamp.string(pickedUpAt)).") }
            if let deliveredAt = info.deliveredAt { Console.out("Your signed Teams app package was delivered at \(Timestamp.string(deliveredAt)).") }
            Console.out("Invite valid until \(Timestamp.string(info.expiresAt)). \(receipts.count) submission\(receipts.count == 1 ? "" : "s") received, each with a receipt signed by the vault and recorded in its audit log.")
            if global.verbose {
                for receipt in receipts {
                    let m = receipt.objectValue ?? [:]
                    Console.out("  submission \(m["submissionId"]?.stringValue ?? "") received \(m["receivedAt"]?.stringValue ?? ""), audit log entry \(m["auditIndex"]?.integerValue ?? -1)")
                }
            }
        }
    }

    /// Checks that the receipt's audit event is in the log under the signed checkpoint, and that
    /// it records this submission (`ReceiptInLog`, which the page runs too).
    static func verifyInLog(_ receipt: Receipt, checkpoint: AuditCheckpoint, client: VaultClient) async throws {
        guard receipt.auditIndex < checkpoint.size else {
            throw CLIError.verification("receipt \(receipt.submissionId) names audit index \(receipt.auditIndex), beyond the signed log of \(checkpoint.size)")
        }
        let inclusion = try await client.inclusionProof(index: receipt.auditIndex, size: checkpoint.size)
        try ReceiptInLog.verify(receipt, checkpoint: checkpoint, event: inclusion.event.bytes, proof: inclusion.proof)
    }
}
