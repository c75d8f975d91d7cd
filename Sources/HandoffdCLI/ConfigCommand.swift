import ArgumentParser
import Foundation
import HandoffDomain
import VaultServer
import VaultPostgres
import VaultStore

/// `handoffd config`: the effective configuration.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Inspect the configuration.", subcommands: [ConfigCheckCommand.self]
    )
}

/// `handoffd config check`: prints the effective settings (secrets masked) and fails on an
/// unknown key or a bad value, without starting anything.
struct ConfigCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Print the effective configuration, secrets masked; exit 78 on an unknown key or bad value.",
        discussion: """
            Precedence: flags > HANDOFF_* environment > config file > defaults.

            Example:
              handoffd config check --config config/handoffd.yaml
              HANDOFF_PORT=9443 handoffd config check --config config/handoffd.yaml --json
            """
    )

    @OptionGroup var server: ServerOptions

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("Port to listen on.", valueName: "port"))
    var port: String?

    @Flag(help: "Machine-readable JSON on standard output.")
    var json = false

    func run() async throws {
        var flags: [String: String] = [:]
        flags["host"] = host
        flags["port"] = port
        let environment = ProcessInfo.processInfo.environment
        let settings = try await FailureReport.exiting {
            try server.settings(flags: flags, environment: environment)
        }
        let directory = settings.dataDirectory
        let masterKey = DataDirectory.masterKeyIsInEnvironment(environment)
            ? directory.masterKeySource(environment: environment) : "\(directory.masterKeyPath) (file, value never printed)"
        let effective: [(String, String)] = [
            ("data_dir", settings.dataDir), ("host", settings.host), ("port", String(settings.port)),
            ("tls_certificate", settings.certificatePath), ("tls_key", settings.keyPath),
            ("public_url", settings.publicURL ?? "https://\(settings.host):\(settings.port) (default)"),
            ("checkpoint_interval", String(settings.checkpointInterval)), ("log_format", settings.logFormat.rawValue),
            ("drain_grace_ms", String(settings.drainGraceMilliseconds)),
            ("header_timeout_ms", String(settings.headerTimeoutMilliseconds)), ("body_timeout_ms", String(settings.bodyTimeoutMilliseconds)),
            ("idle_timeout_ms", String(settings.idleTimeoutMilliseconds)), ("max_connections", String(settings.maxConnections)),
            ("retention_after_ack", "\(Int(settings.retentionAfterAcknowledgement))s"), ("purge_interval", "\(Int(settings.purgeInterval))s"),
            ("master_key", masterKey),
            ("database_url", settings.databaseURL.map(PostgresStore.redacted) ?? "\(directory.databasePath) (SQLite, default)"),
            ("page_origin", settings.pageOrigin ?? "(none: the page only at the vault's own /)"),
            ("trusted_proxies", settings.trustedProxiesText.isEmpty ? "(none: the TCP peer is the client)" : settings.trustedProxiesText),
            ("entra_client_id", settings.entraClientId ?? "(none: no Sign in with Microsoft)"), ("entra_authority", settings.entraAuthority),
            ("graph_url", settings.graphURL), ("arm_url", settings.armURL),
            ("deployment.redirect_uri", settings.deploymentRedirectURI ?? "(none)"),
            ("deployment.app_id_uri_host", settings.deploymentAppIdURIHost ?? "(none)"),
            ("event_heartbeat_ms", String(settings.eventHeartbeatMilliseconds)),
            ("webhook_allow_private", settings.webhookAllowPrivate ? "true (receivers on private and loopback addresses allowed)" : "false"),
            ("outbound_ca_file", settings.outboundCAFile ?? "(none: the system's trust store)"),
        ]
        if json {
            Output.line(CanonicalJSON.string(.object(Dictionary(uniqueKeysWithValues: effective.map { ($0.0, JSONValue.string($0.1)) }))))
        } else {
            for (key, value) in effective { Output.line("\(key): \(value)") }
        }
    }
}
