import Foundation
import HandoffDomain
import Hummingbird
import VaultCrypto
import VaultStore

extension VaultAPI {
    static func json(_ summary: HandoffSummary) -> JSONValue {
        [
            "handoffId": .string(summary.id),
            "customer": .string(summary.customer),
            "state": .string(summary.state.rawValue),
            "createdAt": .string(Timestamp.string(summary.createdAt)),
            "expiresAt": .string(Timestamp.string(summary.expiresAt)),
            "receipts": .array(summary.receipts.map(JSONValue.string)),
        ]
    }

    /// `GET /v1/handoffs` (admin, generator): states, never values; `?state=submitted`.
    @Sendable func listHandoffs(_ request: Request, context: VaultRequestContext) async throws -> Response {
        _ = try authorize(context, [.admin, .generator])
        var state: HandoffState?
        if let text = request.uri.queryParameters.get("state") {
            guard let parsed = HandoffState(rawValue: text) else {
                throw APIProblem.badRequest("request.invalid_query", "state must be one of \(HandoffState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            state = parsed
        }
        let handoffs = try await database.handoffs(state: state, now: clock())
        return .json(["handoffs": .array(handoffs.map(Self.json))])
    }

    /// `GET /v1/handoffs/{id}` (admin, generator, its customer).
    @Sendable func showHandoff(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let id = try handoffId(context)
        _ = try authorize(context, [.admin, .generator, .customer], handoffId: id)
        return .json(Self.json(try await database.handoff(id: id, now: clock())))
    }

    /// `POST /v1/handoffs/{id}/submissions` (its customer): stores a sealed box; 201 with a receipt.
    @Sendable func submit(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let id = try handoffId(context)
        let principal = try authorize(context, [.customer], handoffId: id)
        var request = request
        let body = try await request.jsonObject(required: ["sealed", "recipientKeyId"], allowed: ["sealed", "recipientKeyId"])
        guard let sealed = try? Base64.decode(try body.string("sealed", maxLength: VaultAPI.maximumBodySize)),
              sealed.count > SealedBox.overhead
        else {
            throw APIProblem.badRequest("request.invalid_sealed", "sealed must be base64 of a crypto_box_seal box")
        }
        let stored = try await database.storeSubmission(
            handoffId: id, sealed: sealed, recipientKeyId: try body.string("recipientKeyId", maxLength: 64),
            limit: limits.submissionsPerHandoff, keys: keys, context: storeContext(context, principal)
        )
        metrics.submissionStored()
        return .json([
            "handoffId": .string(id),
            "submissionId": .string(stored.submissionId),
            "receivedAt": .string(Timestamp.string(stored.receivedAt)),
            "auditIndex": .integer(stored.auditIndex),
            "receipt": .string(stored.receipt),
        ], status: .created)
    }

    /// `GET /v1/handoffs/{id}/submissions/latest` (generator): the sealed box, audited.
    @Sendable func releaseLatest(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let id = try handoffId(context)
        let principal = try authorize(context, [.generator], handoffId: id)
        let released = try await database.releaseLatest(handoffId: id, keys: keys, context: storeContext(context, principal))
        metrics.submissionReleased()
        return .json([
            "submissionId": .string(released.submissionId),
            "sealed": .string(Base64.encode(released.sealed)),
            "recipientKeyId": .string(released.recipientKeyId),
            "receivedAt": .string(Timestamp.string(released.receivedAt)),
        ])
    }

    /// `POST /v1/handoffs/{id}/ack` (generator): the package was built.
    @Sendable func acknowledge(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let id = try handoffId(context)
        let principal = try authorize(context, [.generator], handoffId: id)
        try await database.acknowledge(handoffId: id, context: storeContext(context, principal))
        return .json(["handoffId": .string(id), "state": .string(HandoffState.acknowledged.rawValue)])
    }
}
