import Foundation
import HandoffDomain
import VaultClient

/// `handoff submit --object-id`: Step 10's one value, sealed alone (`ObjectIdPayload`) to the
/// generator key the invite pins; the generator adds it to the values it already has.
struct ObjectIdStep {
    let invite: InviteCode
    let objectId: String
    let dryRun: Bool
    let global: CustomerOptions

    func send() async throws {
        let payload: ObjectIdPayload
        do {
            payload = try ObjectIdPayload(handoffId: invite.handoffId, sealedAt: Timestamp.string(Date()), teamsAppObjectId: objectId)
        } catch {
            throw CLIError.valuesInvalid(error, source: "--object-id")
        }
        let sealed = try payload.seal(to: invite.recipientKey)
        if dryRun {
            global.json
                ? Console.json(["handoffId": .string(invite.handoffId), "sealedBytes": .integer(Int64(sealed.count)), "uploaded": false])
                : Console.out("The Object ID is valid and sealed for Altoura's package generator. Nothing was sent (--dry-run).")
            return
        }
        // The Object ID completes values sent before: without them the generator has nothing to add it to.
        let before = try await global.withClient(server: global.serverURL(for: invite), token: invite.token) { try await $0.handoff(invite.handoffId) }
        guard !before.receipts.isEmpty else {
            throw CLIError.dataInvalid("send your Step 6 values first (handoff submit --values values.json); the Object ID is added to them")
        }
        let (answer, receipt, info) = try await Upload.send(sealed, invite: invite, global: global)
        if global.json {
            Console.json([
                "handoffId": .string(invite.handoffId), "submissionId": .string(answer.submissionId), "receipt": .string(answer.receipt),
                "receivedAt": .string(receipt.receivedAt), "auditIndex": .integer(receipt.auditIndex),
                "teamsAppObjectId": .string(payload.teamsAppObjectId),
            ])
            return
        }
        Console.out("Sent your Teams app's Object ID (Step 10), sealed for Altoura's package generator; the vault's signed receipt checks out.")
        Console.out(info.map { NextStep.text(for: $0) } ?? NextStep.text(for: .submitted, packageDelivered: true))
    }
}
