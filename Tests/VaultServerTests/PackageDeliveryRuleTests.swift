import Foundation
import HTTPTypes
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto
@testable import VaultServer
import VaultStore

/// `PackageDeliveryRule` as each backend applies it, in-process: a delivery names a submission of
/// its handoff and comes after the one it replaces, or nothing is stored.
@Suite("Package delivery rule (in-process)")
struct PackageDeliveryRuleTests {
    @Test("A replayed or out-of-order delivery is 409, one naming another submission 422; the stored delivery stays", arguments: Backend.available)
    func rule(backend: Backend) async throws {
        let vault = try await InProcessVault(backend: backend)
        try await vault.test { client in
            let invite = try await client.invite(admin: vault.adminToken)
            let h = invite.handoffId
            let generator = try await client.token(admin: vault.adminToken, role: .generator).token.withText { $0 }
            let receipt = try SubmissionReceipt(json: try await client.send(.post, "/v1/handoffs/\(h)/submissions", token: invite.token.withText { $0 },
                                                                              json: try InProcessVault.submission(for: invite)).json())
            #expect(try await client.send(.get, "/v1/handoffs/\(h)/submissions/latest", token: generator).status == 200)
            func deliver(_ sequence: Int64, submission: String? = nil) async throws -> InProcessVault.Answer {
                let zip = AuditGrowthTests.zip
                let note = try PackageSignature.sign(
                    zip: zip, handoffId: h, submissionId: submission ?? receipt.submissionId, sequence: sequence,
                    recipientKeyId: invite.recipientKey.keyId, with: vault.generatorSigning
                )
                return try await client.send(.put, "/v1/handoffs/\(h)/package", token: generator,
                                             json: ["package": .string(Base64.encode(zip)), "signature": .string(note)])
            }
            func shown() async throws -> HandoffSummary {
                try HandoffSummary(json: try await client.send(.get, "/v1/handoffs/\(h)", token: invite.token.withText { $0 }).json())
            }
            let early = try await client.send(.get, "/v1/handoffs/\(h)/package", token: invite.token.withText { $0 })
            #expect(early.status == 404 && early.problemCode == StoreError.Code.notReady.rawValue, "before delivery: not ready yet")
            #expect(try await shown().packageDelivered == false)
            #expect(try await deliver(2).status == 200)
            #expect(try await shown().packageDelivered == true, "the customer sees that a package was delivered")
            let listed = try HandoffList(json: try await client.send(.get, "/v1/handoffs?state=delivered", token: vault.adminToken).json())
            #expect(listed.handoffs == [try await shown()], "the admin's list shows the handoff as its own view does")
            #expect(try await deliver(2).problemCode == StoreError.Code.conflict.rawValue, "the same sequence again")
            #expect(try await deliver(1).problemCode == StoreError.Code.conflict.rawValue, "an older sequence")
            let stranger = try await deliver(3, submission: UUID().uuidString.lowercased())
            #expect(stranger.status == 422 && stranger.problemCode == StoreError.Code.signatureInvalid.rawValue)
            let stored = try await client.send(.get, "/v1/handoffs/\(h)/package", token: generator).json()
            let note = try #require(stored.objectValue?["signature"]?.stringValue)
            #expect(try PackageSignature.statement(of: note, signingKey: vault.generatorSigning.publicKey).sequence == 2)
            #expect(try await deliver(3).status == 200, "a later sequence replaces it")
        }
    }
}
