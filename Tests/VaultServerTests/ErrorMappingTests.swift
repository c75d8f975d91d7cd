import Foundation
import HTTPTypes
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto
@testable import VaultServer
import VaultStore

/// Bad input and refused operations, in-process: each gets its status and a problem document,
/// and nothing is written.
@Suite("Error mapping (in-process)")
struct ErrorMappingTests {
    @Test("Bad bodies get 400, 413, 415 or 422 problem documents, and nothing is stored", arguments: Backend.available)
    func badBodies(backend: Backend) async throws {
        let vault = try await InProcessVault(backend: backend)
        try await vault.test { client in
            let invite = try await client.invite(admin: vault.adminToken)
            let token = invite.token.withText { $0 }
            let path = "/v1/handoffs/\(invite.handoffId)/submissions"
            let cases: [(String, [UInt8], String, Int, String)] = [
                ("not JSON", Array("{".utf8), "application/json", 400, "request.malformed_json"),
                ("duplicate keys", Array(#"{"sealed":"AA==","sealed":"AA==","recipientKeyId":"x"}"#.utf8), "application/json", 400, "request.malformed_json"),
                ("unknown field", Array(#"{"sealed":"AA==","recipientKeyId":"x","extra":1}"#.utf8), "application/json", 400, "request.unknown_field"),
                ("missing field", Array(#"{"sealed":"AA=="}"#.utf8), "application/json", 400, "request.missing_field"),
                ("not base64", Array(#"{"sealed":"***","recipientKeyId":"x"}"#.utf8), "application/json", 400, "request.invalid_sealed"),
                ("too short to be a box", Array(#"{"sealed":"AAAA","recipientKeyId":"x"}"#.utf8), "application/json", 400, "request.invalid_sealed"),
                ("wrong recipient", Array(("{\"sealed\":\"" + Base64.encode([UInt8](repeating: 7, count: 100)) + "\",\"recipientKeyId\":\"rk_0000000000000000\"}").utf8),
                 "application/json", 422, StoreError.Code.recipientMismatch.rawValue),
                ("form encoded", Array("a=b".utf8), "application/x-www-form-urlencoded", 415, "http.unsupported_media_type"),
                ("too large", [UInt8](repeating: 0x20, count: 70 * 1024), "application/json", 413, "http.too_large"),
            ]
            for (name, body, type, status, code) in cases {
                let answer = try await client.send(.post, path, token: token, raw: body, contentType: type)
                #expect(answer.status == status, "\(name): \(answer.status)")
                #expect(answer.contentType == "application/problem+json", "\(name)")
                #expect(try answer.json().objectValue?["status"] == .integer(Int64(status)), "\(name)")
                #expect(answer.problemCode == code, "\(name): \(answer.problemCode ?? "no code")")
            }
            let shown = try HandoffSummary(json: try await client.send(.get, "/v1/handoffs/\(invite.handoffId)", token: vault.adminToken).json())
            #expect(shown.state == .invited && shown.receipts.isEmpty, "nothing was stored")
        }
    }

    @Test("Bad credentials are 401; ids that are not UUIDs, or unknown, are 404")
    func badCredentialsAndIds() async throws {
        let vault = try await InProcessVault()
        try await vault.test { client in
            for bad in ["hv_adm_" + String(repeating: "A", count: 43), "nonsense", ""] {
                let answer = try await client.send(.get, "/v1/handoffs", token: bad)
                #expect(answer.status == 401 && answer.problemCode == "auth.unauthenticated", "\(bad): \(answer.status) \(answer.problemCode ?? "")")
            }
            #expect(try await client.send(.get, "/v1/handoffs/not-a-uuid", token: vault.adminToken).status == 404)
            #expect(try await client.send(.get, "/v1/handoffs/\(UUID().uuidString.lowercased())", token: vault.adminToken).status == 404)
            #expect(try await client.send(.delete, "/v1/tokens/tok_0000000000000000", token: vault.adminToken).status == 404)
        }
    }

    @Test("Store refusals map to their statuses: conflict 409, limit 429, last admin 409", arguments: Backend.available)
    func storeRefusals(backend: Backend) async throws {
        let vault = try await InProcessVault(limits: APILimits(refusalsPerWindow: 100_000, submissionsPerHandoff: 2), backend: backend)
        try await vault.test { client in
            let invite = try await client.invite(admin: vault.adminToken)
            let token = invite.token.withText { $0 }
            let path = "/v1/handoffs/\(invite.handoffId)/submissions"
            let generator = try await client.token(admin: vault.adminToken, role: .generator).token.withText { $0 }
            // Nothing submitted yet: nothing to release.
            let early = try await client.send(.get, "/v1/handoffs/\(invite.handoffId)/submissions/latest", token: generator)
            #expect(early.status == 409 && early.problemCode == StoreError.Code.conflict.rawValue, "\(early.status)")
            for _ in 0..<2 {
                #expect(try await client.send(.post, path, token: token, json: try InProcessVault.submission(for: invite)).status == 201)
            }
            let third = try await client.send(.post, path, token: token, json: try InProcessVault.submission(for: invite))
            #expect(third.status == 429 && third.problemCode == StoreError.Code.limitReached.rawValue, "\(third.status)")
            // The bootstrap admin token is the only one: revoking it would lock every admin out.
            let tokens = try TokenList(json: try await client.send(.get, "/v1/tokens", token: vault.adminToken).json()).tokens
            let admin = try #require(tokens.first { $0.role == .admin })
            let last = try await client.send(.delete, "/v1/tokens/\(admin.id)", token: vault.adminToken)
            #expect(last.status == 409, "\(last.status)")
            // A revoked handoff takes no more submissions (the invite stops working).
            #expect(try await client.send(.delete, "/v1/handoffs/\(invite.handoffId)", token: vault.adminToken).status == 200)
            #expect(try await client.send(.post, path, token: token, json: try InProcessVault.submission(for: invite)).status == 401)
        }
    }

    @Test("Every answer decodes as its wire model: the server and the client share one shape", arguments: Backend.available)
    func answersDecode(backend: Backend) async throws {
        let vault = try await InProcessVault(backend: backend)
        try await vault.test { client in
            let invite = try await client.invite(admin: vault.adminToken)
            let token = invite.token.withText { $0 }
            let generator = try await client.token(admin: vault.adminToken, role: .generator).token.withText { $0 }
            let receipt = try SubmissionReceipt(json: try await client.send(
                .post, "/v1/handoffs/\(invite.handoffId)/submissions", token: token, json: try InProcessVault.submission(for: invite)
            ).json())
            #expect(receipt.handoffId == invite.handoffId)
            _ = try Receipt.verifySignature(receipt.receipt, serverKey: invite.serverKey, handoffId: invite.handoffId)
            let list = try HandoffList(json: try await client.send(.get, "/v1/handoffs?state=submitted", token: generator).json())
            #expect(list.handoffs.map(\.id) == [invite.handoffId])
            let released = try ReleasedSubmission(json: try await client.send(.get, "/v1/handoffs/\(invite.handoffId)/submissions/latest", token: generator).json())
            #expect(released.submissionId == receipt.submissionId)
            let opened = try SealedPayload.open(released.sealed, with: vault.generator, expectedHandoffId: invite.handoffId)
            #expect(opened.handoffId == invite.handoffId)
            let ack = try HandoffStateChange(json: try await client.send(.post, "/v1/handoffs/\(invite.handoffId)/ack", token: generator, json: [:]).json())
            #expect(ack.state == .acknowledged)
            let checkpoint = try CheckpointInfo(json: try await client.send(.get, "/v1/audit/checkpoint", token: vault.adminToken).json())
            let page = try AuditEventPage(json: try await client.send(.get, "/v1/audit/events?after=0&limit=1000", token: vault.adminToken).json())
            #expect(page.treeSize == checkpoint.treeSize && Int64(page.events.count) == page.treeSize)
            let proof = try InclusionProof(json: try await client.send(
                .get, "/v1/audit/proof/inclusion?index=\(receipt.auditIndex)&size=\(checkpoint.treeSize)", token: token
            ).json())
            #expect(proof.event.index == receipt.auditIndex)
            #expect(MerkleTree.verifyInclusion(
                leafHash: try MerkleTree.leafHash(proof.event.bytes), index: receipt.auditIndex, size: checkpoint.treeSize,
                proof: proof.proof, root: checkpoint.rootHash
            ))
            let consistency = try ConsistencyProof(json: try await client.send(
                .get, "/v1/audit/proof/consistency?from=1&to=\(checkpoint.treeSize)", token: vault.adminToken
            ).json())
            #expect(consistency.to == checkpoint.treeSize)
        }
    }
}

@Suite("Refusal counting")
struct NotYetTests {
    @Test("'No package yet' is an answer, not a refusal: a generator asking it often is never rate-limited; a wrong handoff still counts")
    func notReadyIsNotCounted() async throws {
        let vault = try await InProcessVault(limits: APILimits(refusalsPerWindow: 3))
        try await vault.test { client in
            let invite = try await client.invite(admin: vault.adminToken)
            let generator = try await client.token(admin: vault.adminToken, role: .generator).token.withText { $0 }
            for _ in 0..<6 {
                let answer = try await client.send(.get, "/v1/handoffs/\(invite.handoffId)/package", token: generator)
                #expect(answer.status == 404 && answer.problemCode == StoreError.Code.notReady.rawValue)
            }
            for _ in 0..<3 {
                #expect(try await client.send(.get, "/v1/handoffs/\(UUID().uuidString.lowercased())/package", token: generator).status == 404)
            }
            #expect(try await client.send(.get, "/v1/handoffs", token: generator).status == 429, "real refusals still count")
        }
    }
}
