import ArgumentParser
import Foundation
import HandoffDomain
import VaultServer
import VaultStore

/// `handoffd backup`: an online copy of the database.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database while the server keeps serving (SQLite online backup).",
        discussion: """
            The backup holds nothing readable without the master key, which it does not contain: keep \
            the master key apart from the backups.

            Example:
              handoffd backup --data-dir /var/lib/handoffd --out /backup/vault-2026-11-26.sqlite
            """
    )

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The data directory.", valueName: "dir"))
    var dataDir: String

    @Option(help: ArgumentHelp("The backup file to create.", valueName: "file"))
    var out: String

    @Option(name: .customLong("database-url"), help: ArgumentHelp("When the records are in PostgreSQL: says how to back them up.", valueName: "url"))
    var databaseURL: String?

    func validate() throws { try DatabaseURLOption.check(databaseURL) }

    func run() async throws {
        umask(0o077)
        try await FailureReport.exiting {
            if databaseURL ?? ProcessInfo.processInfo.environment["HANDOFF_DATABASE_URL"] != nil {
                throw SettingsError(PostgresBackup.advice)
            }
            let directory = DataDirectory(dataDir)
            let database = try directory.openDatabase()
            let started = Date()
            try await database.backup(to: out)
            Output.line("backed up \(directory.databasePath) to \(out) in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
        }
    }
}

/// `handoffd restore`: a backup into a new data directory, checked before it is used.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into a new data directory and check it opens with the master key.",
        discussion: """
            A restore needs the backup and the master key it was taken under: HANDOFF_MASTER_KEY, or \
            --master-key-file (copied into the new directory as master.key, 0600). TLS files are not \
            in a backup; copy them or run with tls_certificate and tls_key.

            Example:
              handoffd restore --from /backup/vault.sqlite --data-dir /var/lib/handoffd --master-key-file /secure/master.key
            """
    )

    @Option(help: ArgumentHelp("The backup file.", valueName: "file"))
    var from: String

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The new data directory.", valueName: "dir"))
    var dataDir: String

    @Option(name: .customLong("master-key-file"), help: ArgumentHelp("The master key file to install (unless HANDOFF_MASTER_KEY is set).", valueName: "file"))
    var masterKeyFile: String?

    @Option(name: .customLong("database-url"), help: ArgumentHelp("When the records are in PostgreSQL: says how to restore them.", valueName: "url"))
    var databaseURL: String?

    func validate() throws { try DatabaseURLOption.check(databaseURL) }

    func run() async throws {
        umask(0o077)
        try await FailureReport.exiting {
            let environment = ProcessInfo.processInfo.environment
            if databaseURL ?? environment["HANDOFF_DATABASE_URL"] != nil {
                throw SettingsError(PostgresBackup.advice)
            }
            let directory = DataDirectory(dataDir)
            let master: MasterKey
            if DataDirectory.masterKeyIsInEnvironment(environment) {
                master = try directory.masterKey(environment: environment)
            } else {
                guard let masterKeyFile, let text = try? String(contentsOfFile: masterKeyFile, encoding: .utf8) else {
                    throw SettingsError("give the master key: --master-key-file F or \(DataDirectory.masterKeyVariable)")
                }
                guard let key = try? MasterKey(text: text) else { throw SettingsError("\(masterKeyFile) does not hold base64 of 32 bytes") }
                master = key
            }
            let database = try await directory.restore(from: from, master: master, environment: environment)
            let keys = try database.keys()
            let size = try await database.auditSize()
            Output.line("restored \(from) into \(dataDir): integrity ok, keys open (server key name \(keys.keyName)), \(size) audit events")
        }
    }
}

/// What backup and restore mean when the records are in PostgreSQL: the database's own tools, in
/// one consistent snapshot, and the key files kept apart (the drill in Tests/Postgres does this).
enum PostgresBackup {
    static let advice = """
        the records are in PostgreSQL: back them up with pg_dump in one consistent snapshot, while the nodes serve \
        (pg_dump --serializable-deferrable --format=custom --file vault.dump "$DATABASE_URL"), and keep DIR/master.key \
        apart from the dump; restore with pg_restore --dbname "$NEW_DATABASE_URL" vault.dump into an empty database, \
        then start a node on it with a data directory holding that master.key (and TLS files)
        """
}
