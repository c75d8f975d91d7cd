import Foundation
import HandoffDomain
import Hummingbird
import VaultCrypto
import VaultStore

extension VaultAPI {
    /// A handoff's life: its state, the customer's submissions, the generator's release and acknowledgement.
    func addHandoffRoutes(to v1: RouterGroup<VaultRequestContext>) {
        v1.get("handoffs", use: listHandoffs)
        v1.get("handoffs/:id", use: showHandoff)
        v1.post("handoffs/:id/submissions", use: submit)
        v1.get("handoffs/:id/submissions/latest", use: releaseLatest)
        v1.post("handoffs/:id/ack", use: acknowledge)
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
        let handoffs = try await store.handoffs(state: state, now: clock())
        return .json(HandoffList(handoffs))
    }

    /// `GET /v1/handoffs/{id}` (admin, generator, its customer).
    @Sendable func showHandoff(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let id = try handoffId(context)
        _ = try authorize(context, HandoffAction.readState.roles, handoffId: id)
        let summary = try await store.handoff(id: id, now: clock())
        return .json(encoded: encodedViews.body(of: summary))
    }

    /// `POST /v1/handoffs/{id}/submissions` (its customer): stores a sealed box; 201 with a receipt.
    @Sendable func submit(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let id = try handoffId(context)
        let principal = try authorize(context, HandoffAction.submit.roles, handoffId: id)
        var request = request
        let body = try await request.jsonObject(required: ["sealed", "recipientKeyId"], allowed: ["sealed", "recipientKeyId"])
        guard let sealed = FieldDecoding.base64(try body.string("sealed", maxLength: VaultAPI.maximumBodySize)),
              sealed.count > SealedBox.overhead
        else {
            throw APIProblem.badRequest("request.invalid_sealed", "sealed must be base64 of a crypto_box_seal box")
        }
        let receipt = try await store.storeSubmission(
            handoffId: id, sealed: sealed, recipientKeyId: try body.string("recipientKeyId", maxLength: 64),
            limit: limits.submissionsPerHandoff, context: storeContext(context, principal)
        )
        metrics.submissionStored()
        return .json(receipt, status: .created)
    }

    /// `GET /v1/handoffs/{id}/submissions/latest` (generator): the sealed box, audited (a
    /// release of a submission released before, within a window, counted for one event).
    @Sendable func releaseLatest(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let id = try handoffId(context)
        let principal = try authorize(context, HandoffAction.release.roles, handoffId: id)
        let key = RepeatedReads.Key(action: .submissionReleased, handoffId: id, principal: principal)
        let (released, audited) = try await store.releaseLatest(
            handoffId: id, auditRepeat: repeatedReads.mustAudit(key, now: clock()), context: storeContext(context, principal)
        )
        repeatedReads.record(key, audited: audited, remote: context.remote, requestId: context.requestId, now: clock())
        metrics.submissionReleased()
        return .json(released)
    }

    /// `POST /v1/handoffs/{id}/ack` (generator): the package was built.
    @Sendable func acknowledge(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let id = try handoffId(context)
        let principal = try authorize(context, HandoffAction.acknowledge.roles, handoffId: id)
        try await store.acknowledge(handoffId: id, context: storeContext(context, principal))
        return .json(HandoffStateChange(handoffId: id, state: HandoffAction.acknowledge.state(after: .released)))
    }
}
