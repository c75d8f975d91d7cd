import Foundation
import HandoffDomain
import Hummingbird
import VaultStore

extension VaultAPI {
    /// The admin's webhook endpoints.
    func addWebhookRoutes(to v1: RouterGroup<VaultRequestContext>) {
        v1.post("webhooks", use: addWebhook)
        v1.get("webhooks", use: listWebhooks)
        v1.delete("webhooks/:id", use: removeWebhook)
        v1.get("webhooks/:id/deliveries", use: webhookDeliveries)
    }

    /// `POST /v1/webhooks` (admin): a new endpoint for `url` (https; its host resolving to no
    /// refused address) and the `events` it wants (all when absent); answers it with its signing
    /// key, `whpk_…`, this once.
    @Sendable func addWebhook(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let principal = try authorize(context, [.admin])
        var request = request
        let body = try await request.jsonObject(required: ["url"], allowed: ["url", "events"])
        let url = try body.string("url", maxLength: 2048)
        do {
            _ = try WebhookTarget(url).resolve(allowPrivate: limits.webhookAllowPrivate)
        } catch {
            throw APIProblem.badRequest("webhook.refused_target", error.reason)
        }
        var events: [HandoffEvent.Kind] = []
        if let listed = body["events"] {
            guard let names = listed.arrayValue, !names.isEmpty else {
                throw APIProblem.badRequest("request.invalid_field", "events must be a non-empty list of event types")
            }
            for name in names {
                guard let kind = name.stringValue.flatMap(HandoffEvent.Kind.init(rawValue:)) else {
                    throw APIProblem.badRequest(
                        "request.invalid_field", "events may name: \(HandoffEvent.Kind.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                if !events.contains(kind) { events.append(kind) }
            }
        }
        let endpoint = try await store.addWebhook(url: url, events: events, context: storeContext(context, principal))
        let key = try store.webhookPublicKey(endpointId: endpoint.id)
        return .json(endpoint.with(signingKey: key.standardWebhooksKey), status: .created)
    }

    /// `GET /v1/webhooks` (admin): every endpoint with where its deliveries stand.
    @Sendable func listWebhooks(_ request: Request, context: VaultRequestContext) async throws -> Response {
        _ = try authorize(context, [.admin])
        return .json(WebhookList(try await store.webhooks()))
    }

    /// `DELETE /v1/webhooks/{id}` (admin).
    @Sendable func removeWebhook(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let principal = try authorize(context, [.admin])
        let id = try webhookId(context)
        try await store.removeWebhook(id: id, context: storeContext(context, principal))
        return .json(["id": .string(id), "removed": true])
    }

    /// `GET /v1/webhooks/{id}/deliveries` (admin): the latest 100 attempts, newest first.
    @Sendable func webhookDeliveries(_ request: Request, context: VaultRequestContext) async throws -> Response {
        _ = try authorize(context, [.admin])
        return .json(WebhookDeliveryList(try await store.webhookDeliveries(id: try webhookId(context), limit: 100)))
    }

    private func webhookId(_ context: VaultRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), WebhookEndpoint.isId(id) else { throw APIProblem.notFound("no such webhook") }
        return id
    }
}
