import Foundation
import HandoffDomain
import Logging
import ServiceLifecycle
import VaultStore

/// Delivers the outbox's events to the webhook endpoints, on every node: every `interval` it
/// takes the endpoints with something to send that no other node holds, and sends each its
/// events in order, one at a time — the next only after the last was delivered — so each
/// endpoint sees every event at least once and in order. A failed attempt is retried when the
/// rule says (`WebhookRule`); the other endpoints go on meanwhile.
struct WebhookService: Service {
    let store: any HandoffStore
    let sender: WebhookSender
    let metrics: VaultMetrics
    let logger: Logger
    var interval: Duration = .milliseconds(250)
    /// How long one hold may be used before it is let go (well inside `WebhookRule.lease`).
    static let holdFor: Duration = .seconds(20)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await round()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Sends to every endpoint due now, side by side.
    func round() async {
        let due: [WebhookEndpoint]
        do {
            due = try await store.claimDueWebhooks(now: Date())
        } catch {
            logger.warning("cannot read the webhook endpoints; will retry", metadata: ["error": .string(String(describing: type(of: error)))])
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for endpoint in due { group.addTask { await deliver(to: endpoint) } }
        }
    }

    /// Sends `endpoint` its events after its cursor until one fails or the hold's time is up.
    private func deliver(to endpoint: WebhookEndpoint) async {
        let started = ContinuousClock.now
        do {
            var passedOver: Int64?
            for event in try await store.events(after: endpoint.cursor, limit: 100) {
                guard endpoint.wants(event.kind) else {
                    passedOver = event.id
                    continue
                }
                if let through = passedOver {
                    try await store.passOverWebhookEvents(id: endpoint.id, through: through)
                    passedOver = nil
                }
                let attempt = await sender.send(event, to: endpoint, now: Date())
                try await store.recordWebhookAttempt(id: endpoint.id, eventId: event.id, attempt: attempt, now: Date(), jitter: Double.random(in: 0.8...1.2))
                metrics.webhookAttempt(attempt.result)
                guard attempt.result == .delivered else {
                    logger.warning("a webhook delivery failed; it will be retried", metadata: [
                        "webhook": .string(endpoint.id), "event": .stringConvertible(event.id), "outcome": .string(attempt.outcome),
                    ])
                    return  // released by the rule
                }
                if ContinuousClock.now - started > Self.holdFor { break }
            }
            if let through = passedOver { try await store.passOverWebhookEvents(id: endpoint.id, through: through) }
        } catch {
            logger.warning("webhook deliveries stopped; will retry", metadata: ["webhook": .string(endpoint.id), "error": .string(String(describing: type(of: error)))])
        }
        try? await store.releaseWebhook(id: endpoint.id)
    }
}
