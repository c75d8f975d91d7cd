import Foundation
import Prometheus
import VaultStore

/// The server's Prometheus metrics, in one registry served at `/metrics`. Labels carry route
/// patterns and status codes, never ids, tokens or values.
package final class VaultMetrics: Sendable {
    package let registry = PrometheusCollectorRegistry()
    private let submissions: Counter
    private let releases: Counter
    private let refusals: Counter
    private let treeSize: Gauge
    private let databaseBytes: Gauge
    private let eventStreams: Gauge

    package init() {
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "handoff", metricName: metric, unitName: unit, helpText: help)
        }
        submissions = registry.makeCounter(descriptor: name("submissions", "total", "Sealed submissions stored."))
        releases = registry.makeCounter(descriptor: name("releases", "total", "Sealed submissions released to the generator."))
        refusals = registry.makeCounter(descriptor: name("refused_requests", "total", "Requests refused for their credential or role."))
        treeSize = registry.makeGauge(descriptor: name("audit_tree", "size", "Events in the audit log's Merkle tree."))
        databaseBytes = registry.makeGauge(descriptor: name("database", "bytes", "Size of the SQLite database and its WAL."))
        eventStreams = registry.makeGauge(descriptor: name("event_streams", "open", "Event streams (GET /v1/events) open on this node."))
    }

    func submissionStored() { submissions.increment() }
    func submissionReleased() { releases.increment() }
    func requestRefused() { refusals.increment() }
    func eventStreamOpened() { eventStreams.increment() }
    func eventStreamClosed() { eventStreams.decrement() }

    static var slowConnections: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "handoff", metricName: "slow_connections_closed", unitName: "total",
        helpText: "Connections closed for sending a request head or body too slowly."
    ) }

    /// Counts a connection closed for missing a request deadline.
    func slowConnectionClosed(_ missed: MissedDeadline) {
        registry.makeCounter(descriptor: Self.slowConnections, labels: [("deadline", missed.rawValue)]).increment()
    }

    static var requests: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "handoff", metricName: "http_requests", unitName: "total", helpText: "HTTP requests by route, method and status."
    ) }
    static var latency: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "handoff", metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency by route and method."
    ) }
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
    ]

    static var witnessCosigned: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "handoff", metricName: "witness_cosigned_tree", unitName: "size", helpText: "The largest audit tree each witness has cosigned."
    ) }
    static var witnessProblems: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "handoff", metricName: "witness_problems", unitName: "total", helpText: "Checkpoints a witness did not cosign (down, refused, a fork)."
    ) }

    /// Records the largest tree `witness` has cosigned.
    func witnessCosigned(_ witness: String, size: Int64) {
        registry.makeGauge(descriptor: Self.witnessCosigned, labels: [("witness", witness)]).set(Double(size))
    }

    /// Counts a checkpoint `witness` did not cosign.
    func witnessProblem(_ witness: String) {
        registry.makeCounter(descriptor: Self.witnessProblems, labels: [("witness", witness)]).increment()
    }

    static var webhookAttempts: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "handoff", metricName: "webhook_attempts", unitName: "total", helpText: "Webhook delivery attempts by outcome (delivered, failed, gone)."
    ) }

    /// Counts a webhook delivery attempt by its outcome.
    func webhookAttempt(_ result: WebhookAttempt.Result) {
        let outcome = switch result {
        case .delivered: "delivered"
        case .gone: "gone"
        case .failed: "failed"
        }
        registry.makeCounter(descriptor: Self.webhookAttempts, labels: [("outcome", outcome)]).increment()
    }

    /// Counts a request and its latency under its route pattern.
    func request(route: String, method: String, status: Int, seconds: Double) {
        let labels = [("route", route), ("method", method), ("status", String(status))]
        registry.makeCounter(descriptor: Self.requests, labels: labels).increment()
        registry.makeDurationHistogram(descriptor: Self.latency, labels: [("route", route), ("method", method)], buckets: Self.buckets)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    /// The Prometheus text, with the gauges read now.
    func render(treeSize size: Int64, storageBytes: Int?) -> [UInt8] {
        treeSize.set(Double(size))
        if let storageBytes { databaseBytes.set(Double(storageBytes)) }
        var output: [UInt8] = []
        registry.emit(into: &output)
        return output
    }
}
