import Foundation
import HandoffDomain
import VaultClient

/// Sending a sealed box through the invite: upload, then verify the vault's signed receipt
/// against the server key the invite pins (and that it names the submission the server reported).
enum Upload {
    /// Uploads `sealed`; answers the server's answer, the verified receipt, and — only to tell the
    /// customer where things stand — the handoff as the server shows it afterwards, when it could
    /// be read.
    static func send(
        _ sealed: [UInt8], invite: InviteCode, global: CustomerOptions
    ) async throws -> (SubmissionReceipt, Receipt, HandoffSummary?) {
        let (answer, info) = try await global.withClient(server: global.serverURL(for: invite), token: invite.token) { client in
            let answer = try await client.submit(handoffId: invite.handoffId, sealed: sealed, recipientKeyId: invite.recipientKey.keyId)
            return (answer, try? await client.handoff(invite.handoffId))
        }
        let receipt = try Receipt.verify(answer.receipt, serverKey: invite.serverKey, handoffId: invite.handoffId, sealed: sealed)
        guard receipt.submissionId == answer.submissionId else {
            throw CLIError.verification("the receipt names another submission than the server reported")
        }
        return (answer, receipt, info)
    }
}
