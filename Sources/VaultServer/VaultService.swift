import Foundation
import HandoffDomain
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import UnixSignals
import Synchronization
import VaultStore

/// `handoffd serve`: opens the database and keys, and serves the API over TLS until SIGTERM or
/// SIGINT.
package enum VaultService {
    /// TLS 1.2 suites: ECDHE with AEAD only. TLS 1.3 suites are all AEAD.
    static let tls12CipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    /// The server's TLS configuration from PEM files: TLS 1.2 minimum, AEAD suites only.
    package static func tlsConfiguration(settings: ServerSettings) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(settings.certificatePath)
            key = try NIOSSLPrivateKey(file: settings.keyPath, format: .pem)
        } catch {
            throw SettingsError("cannot load the TLS certificate \(settings.certificatePath) and key \(settings.keyPath); run handoffd init --dev-tls or set tls_certificate and tls_key")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuiteValues = tls12CipherSuites
        // A connection closed for missing a deadline frees its slot once the client answers the
        // close_notify or this passes; a slow client would not answer within NIO's default 5 s.
        configuration.shutdownTimeout = .milliseconds(500)
        return configuration
    }

    /// HTTP/1.1 with the slow-client limits: the request deadlines and the idle timeout.
    static func http1(settings: ServerSettings, metrics: VaultMetrics, logger: Logger) -> HTTPServerBuilder {
        .http1(
            configuration: HTTP1Channel.Configuration(idleTimeout: .milliseconds(Int64(settings.idleTimeoutMilliseconds))),
            deadlines: RequestDeadlines(
                header: .milliseconds(Int64(settings.headerTimeoutMilliseconds)), body: .milliseconds(Int64(settings.bodyTimeoutMilliseconds))
            )
        ) { missed in
            metrics.slowConnectionClosed(missed)
            logger.info("closed a slow connection", metadata: ["missedDeadline": .string(missed.rawValue)])
        }
    }

    /// The server, built but not running: the router over `store`, TLS, the HTTP limits, and the
    /// services that run beside it (retention, refusal auditing, readiness). Tests build it with
    /// their own store and run it, or test its router in-process.
    package static func buildApplication(
        store: any HandoffStore, settings: ServerSettings, logger: Logger, onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> VaultApplication {
        let tls = try tlsConfiguration(settings: settings)
        let boundURL = Mutex<String?>(settings.publicURL)
        let readiness = Readiness(grace: .milliseconds(Int64(settings.drainGraceMilliseconds)), logger: logger)
        let metrics = VaultMetrics()
        let witnessing = settings.witnesses.isEmpty ? nil : try Witnessing(
            endpoints: settings.witnesses, outboundCAFile: settings.outboundCAFile, store: store, metrics: metrics, logger: logger
        )
        let eventFeed = EventFeed(store: store, heartbeat: .milliseconds(Int64(settings.eventHeartbeatMilliseconds)), logger: logger)
        let api = VaultAPI(
            store: store, publicURL: { boundURL.withLock { $0 } ?? "https://\(settings.host):\(settings.port)" },
            limits: APILimits(settings), metrics: metrics,
            readiness: readiness, witnessing: witnessing, eventFeed: eventFeed
        )
        let app = Application(
            router: api.router(),
            server: try .tls(http1(settings: settings, metrics: api.metrics, logger: logger), tlsConfiguration: tls),
            configuration: .init(
                address: .hostname(settings.host, port: settings.port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(settings.maxConnections, logger: logger)
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? settings.port
                let host = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
                let url = "https://\(host):\(port)"
                boundURL.withLock { if $0 == nil { $0 = url } }
                onListening(url)
            },
            logger: logger
        )
        let retention = RetentionService(
            store: store, policy: RetentionPolicy(afterAcknowledgement: settings.retentionAfterAcknowledgement),
            interval: settings.purgeInterval, logger: logger
        )
        // After the HTTP server has drained, the tallies still open are audited.
        let refusalAudit = TallyAuditService(store: store, refusals: api.refusals, reads: api.repeatedReads, interval: .seconds(1), logger: logger)
        // Shut down in reverse order: readiness turns false and waits first, then the event
        // streams end, then the HTTP server stops accepting and drains the requests in flight.
        let witnesses: [any Service] = witnessing.map { [WitnessService(witnessing: $0, interval: .seconds(2))] } ?? []
        let webhooks = WebhookService(
            store: store, sender: WebhookSender(store: store, tls: try OutboundTLS.configuration(caFile: settings.outboundCAFile), allowPrivate: settings.webhookAllowPrivate),
            metrics: metrics, logger: logger
        )
        // The event feed stops before the server drains: its open streams end then.
        return VaultApplication(services: witnesses + [webhooks, retention, refusalAudit, app, api.eventFeed, readiness], store: store, logger: logger)
    }

}

/// A built server: its services, run together until SIGTERM or SIGINT, then the final checkpoint.
package struct VaultApplication: Sendable {
    let services: [any Service]
    let store: any HandoffStore
    let logger: Logger

    /// Runs every service until a shutdown signal, then signs a checkpoint of the final tree.
    package func run() async throws {
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        // The log's final state gets a signed checkpoint, so an auditor can hold the server to it.
        let final = try await store.currentCheckpoint(now: Date())
        logger.info("signed checkpoint at shutdown", metadata: ["treeSize": .stringConvertible(final.checkpoint.size)])
    }
}
