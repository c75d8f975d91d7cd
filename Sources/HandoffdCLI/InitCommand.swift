import ArgumentParser
import Foundation
import HandoffDomain
import VaultCrypto
import VaultPostgres
import VaultStore

/// `handoffd init`: the data directory, master key, database, signing key and the bootstrap
/// admin token (printed once).
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a data directory: database, master key, signing key, first admin token.",
        discussion: """
            The admin token is printed once and stored only as a keyed hash. With HANDOFF_MASTER_KEY \
            set, that key is used and no master.key file is written.

            Example:
              handoffd init --data-dir /var/lib/handoffd --dev-tls
            """
    )

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The data directory to create.", valueName: "dir"))
    var dataDir: String

    @Flag(name: .customLong("dev-tls"), help: "Also write a self-signed certificate for localhost to DIR/tls/.")
    var devTLS = false

    @Option(name: .customLong("key-name"), help: ArgumentHelp("Name of the server key in receipts and checkpoints (default handoff-vault/<hostname>).", valueName: "name"))
    var keyName: String?

    @Option(name: .customLong("database-url"), help: ArgumentHelp("When the records live in PostgreSQL: " + DatabaseURLOption.help, valueName: "url"))
    var databaseURL: String?

    func validate() throws { try DatabaseURLOption.check(databaseURL) }

    @Flag(help: "Machine-readable JSON on standard output.")
    var json = false

    func run() async throws {
        try await FailureReport.exiting(settings: 73, store: { $0.code == .alreadyInitialized ? 73 : 74 }) {
            try await initialize()
        }
    }

    private func initialize() async throws {
        // Everything the server creates (database, WAL, keys) is private to its user.
        umask(0o077)
        let environment = ProcessInfo.processInfo.environment
        let name = keyName ?? "handoff-vault/\(ProcessInfo.processInfo.hostName)"
        let adminToken = try BearerToken.generate(for: .admin)
        let keys = try await VaultStorage.initialize(
            directory: DataDirectory(dataDir), databaseURL: databaseURL ?? environment["HANDOFF_DATABASE_URL"], environment: environment,
            keyName: name, adminToken: adminToken, now: Date()
        )
        var caFile: String?
        if devTLS {
            caFile = try DevCertificate.generate(directory: "\(dataDir)/tls").certificate
        }
        let serverKey = Base64.encode(keys.signing.publicKey.bytes)
        if json {
            var output: [String: JSONValue] = [
                "dataDir": .string(dataDir), "adminToken": .string(adminToken.withText { $0 }), "serverKey": .string(serverKey),
            ]
            if let caFile { output["caFile"] = .string(caFile) }
            Output.line(CanonicalJSON.string(.object(output)))
        } else {
            Output.line("initialised \(dataDir) (server key \(serverKey), key name \(name))")
            if let caFile { Output.line("development certificate: \(caFile) (trust it with --ca-file \(caFile))") }
            Output.line("bootstrap admin token, shown once — store it now:")
            Output.line(adminToken.withText { $0 })
        }
    }
}
