import ArgumentParser
import Foundation
import Logging
import VaultPostgres
import VaultServer
import VaultStore

/// `handoffd serve`: the HTTPS API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the API over HTTPS until SIGTERM or SIGINT.",
        discussion: """
            Settings come from flags, then HANDOFF_* environment variables (HANDOFF_DATA_DIR, HANDOFF_HOST, \
            HANDOFF_PORT, HANDOFF_TLS_CERTIFICATE, HANDOFF_TLS_KEY, HANDOFF_PUBLIC_URL, HANDOFF_CHECKPOINT_INTERVAL), then the config file.

            Example:
              handoffd serve --data-dir ./var --host 127.0.0.1 --port 8443
              handoffd serve --config config/handoffd.yaml
            """
    )

    @OptionGroup var server: ServerOptions

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("Port to listen on (0 picks a free one).", valueName: "port"))
    var port: String?

    @Option(name: .customLong("public-url"), help: ArgumentHelp("The https URL invites name.", valueName: "url"))
    var publicURL: String?

    @Option(name: .customLong("checkpoint-interval"), help: ArgumentHelp("Sign an audit checkpoint every N events (default 100).", valueName: "n"))
    var checkpointInterval: String?

    @Option(name: .customLong("log-format"), help: ArgumentHelp("json (default, production) or text (development).", valueName: "format"))
    var logFormat: String?

    func run() async throws {
        // Everything the server creates (database, WAL, keys) is private to its user.
        umask(0o077)
        var flags: [String: String] = [:]
        flags["host"] = host
        flags["port"] = port
        flags["public_url"] = publicURL
        flags["checkpoint_interval"] = checkpointInterval
        flags["log_format"] = logFormat
        // A database that cannot be opened is a configuration problem for serve: 78 for both.
        try await FailureReport.exiting(store: { _ in 78 }) {
            let environment = ProcessInfo.processInfo.environment
            let settings = try server.settings(flags: flags, environment: environment)
            settings.logFormat.bootstrap()
            let logger = Logger(label: "handoffd")
            try await Self.serve(settings: settings, environment: environment, logger: logger) { url in
                Output.line("listening on \(url)")
            }
        }
    }

    /// The composition root: opens the data directory (holding its lock while serving) and the
    /// backend its settings name (`VaultStorage`: SQLite or PostgreSQL), builds the server over
    /// that store and runs it until SIGTERM or SIGINT; `onListening` gets the bound URL.
    static func serve(settings: ServerSettings, environment: [String: String], logger: Logger, onListening: @escaping @Sendable (String) -> Void) async throws {
        let directory = DataDirectory(settings.dataDir)
        try directory.checkPrivate()
        let lock = try directory.lock(purpose: "serving it again")
        defer { lock.release() }
        try await VaultStorage.withStore(
            directory: directory, databaseURL: settings.databaseURL, environment: environment,
            checkpointInterval: settings.checkpointInterval, logger: logger
        ) { store in
            try await VaultService.buildApplication(store: store, settings: settings, logger: logger, onListening: onListening).run()
        }
    }
}
