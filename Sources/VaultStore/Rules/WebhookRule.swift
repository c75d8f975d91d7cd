import Foundation
import HandoffDomain
import VaultCrypto

/// A webhook endpoint's row, the same on both backends: where it points, which events it wants,
/// how far it got and how its current event fares. No secret: its signing key is derived from the
/// server's keys (`ServerKeys.webhookSigningKey`).
package struct WebhookRecord: Codable, Sendable, Equatable {
    package var id: String
    package var url: String
    /// Event types, comma-separated (empty: all).
    package var events: String
    package var createdAt: Date
    /// The last event id delivered or passed over.
    package var cursor: Int64
    package var failures: Int
    package var firstFailureAt: Date?
    package var nextAttemptAt: Date?
    package var disabledAt: Date?
    package var disabledReason: String?
    /// A node sending to it holds it until then.
    package var leaseUntil: Date?

    package init(
        id: String, url: String, events: String, createdAt: Date, cursor: Int64, failures: Int = 0, firstFailureAt: Date? = nil,
        nextAttemptAt: Date? = nil, disabledAt: Date? = nil, disabledReason: String? = nil, leaseUntil: Date? = nil
    ) {
        self.id = id
        self.url = url
        self.events = events
        self.createdAt = createdAt
        self.cursor = cursor
        self.failures = failures
        self.firstFailureAt = firstFailureAt
        self.nextAttemptAt = nextAttemptAt
        self.disabledAt = disabledAt
        self.disabledReason = disabledReason
        self.leaseUntil = leaseUntil
    }

    /// As the API shows it.
    package var endpoint: WebhookEndpoint {
        WebhookEndpoint(
            id: id, url: url, events: events.split(separator: ",").compactMap { HandoffEvent.Kind(rawValue: String($0)) }, createdAt: createdAt,
            state: disabledAt == nil ? .enabled : .disabled, disabledReason: disabledReason, failures: failures,
            nextAttemptAt: failures > 0 ? nextAttemptAt : nil, cursor: cursor
        )
    }
}

/// One attempt's result, as the sender saw it.
package struct WebhookAttempt: Sendable, Equatable {
    package enum Result: Sendable, Equatable {
        /// 2xx.
        case delivered
        /// 410: the receiver wants no more.
        case gone
        /// Anything else, with what went wrong (a status, a timeout, a refused target).
        case failed(String)
    }

    package let result: Result
    package let status: Int?
    package let milliseconds: Int

    package init(_ result: Result, status: Int?, milliseconds: Int) {
        self.result = result
        self.status = status
        self.milliseconds = milliseconds
    }

    /// The outcome's words in the delivery log.
    package var outcome: String {
        switch result {
        case .delivered: return "delivered"
        case .gone: return "gone: the receiver answered 410; the endpoint is disabled"
        case .failed(let reason): return "failed: \(reason)"
        }
    }
}

/// What happens to an endpoint after each attempt, on every backend: delivered → next event;
/// 410 → disabled; a failure → the same event again after 1 s doubling to 10 minutes (each wait
/// scaled by `jitter`, 0.8…1.2), and after 24 h of failing, disabled.
package enum WebhookRule {
    /// How long an endpoint is retried before it is disabled.
    package static let retryFor: TimeInterval = 86_400
    /// The longest wait between attempts.
    package static let longestWait: TimeInterval = 600
    /// How long a node holds an endpoint it sends to (longer than a 5 s attempt).
    package static let lease: TimeInterval = 30

    /// A new endpoint id (`wh_` and 16 hex digits).
    package static func newId() throws -> String { "wh_" + Hex.encode(try RandomBytes.generate(count: 8)) }

    /// The wait before attempt `failures + 1` of a failing event.
    package static func wait(afterFailures failures: Int, jitter: Double) -> TimeInterval {
        min(longestWait, pow(2, Double(min(failures, 20) - 1))) * jitter
    }

    /// The endpoint after `attempt` at event `eventId`, at `now`.
    package static func after(_ record: WebhookRecord, eventId: Int64, attempt: WebhookAttempt, now: Date, jitter: Double) -> WebhookRecord {
        var next = record
        // A sender that failed lets go at once (the next attempt is later); one that delivered
        // keeps its hold for the next event.
        if attempt.result != .delivered { next.leaseUntil = nil }
        switch attempt.result {
        case .delivered:
            next.cursor = max(record.cursor, eventId)
            next.failures = 0
            next.firstFailureAt = nil
            next.nextAttemptAt = nil
        case .gone:
            next.disabledAt = now
            next.disabledReason = "the receiver answered 410 Gone at event \(eventId)"
        case .failed:
            next.failures = record.failures + 1
            next.firstFailureAt = record.firstFailureAt ?? now
            if now.timeIntervalSince(next.firstFailureAt ?? now) >= retryFor {
                next.disabledAt = now
                next.disabledReason = "event \(eventId) could not be delivered for 24 hours"
            } else {
                next.nextAttemptAt = now.addingTimeInterval(wait(afterFailures: next.failures, jitter: jitter))
            }
        }
        return next
    }

    /// The event types as stored.
    package static func events(_ kinds: [HandoffEvent.Kind]) -> String {
        kinds.map(\.rawValue).joined(separator: ",")
    }
}
