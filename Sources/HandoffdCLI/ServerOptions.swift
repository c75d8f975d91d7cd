import ArgumentParser
import Foundation
import VaultServer

/// The options every command that reads the server's settings shares (`serve`, `config check`,
/// `purge`): the config file and the data directory, with the precedence flags > `HANDOFF_*`
/// environment > config file > defaults.
struct ServerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A YAML config file (see config/handoffd.yaml).", valueName: "file"))
    var config: String?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The data directory.", valueName: "dir"))
    var dataDir: String?

    @Option(name: .customLong("database-url"), help: ArgumentHelp("Keep the records in PostgreSQL (several nodes); default DIR/vault.sqlite. " + DatabaseURLOption.help, valueName: "url"))
    var databaseURL: String?

    func validate() throws { try DatabaseURLOption.check(databaseURL) }

    /// The effective settings, with `flags` (setting name → value) from the command's own options.
    func settings(flags: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerSettings {
        var flags = flags
        flags["data_dir"] = dataDir
        flags["database_url"] = databaseURL
        return try ServerSettings.load(file: config, environment: environment, flags: flags)
    }
}
