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

    func run() async throws {
        umask(0o077)
        try await FailureReport.exiting {
            var settings = ServerSettings()
            settings.dataDir = dataDir
            try DataDirectory.checkPrivate(dataDir, what: "the data directory")
            let database = try VaultDatabase(path: settings.databasePath)
            let started = Date()
            try await database.backup(to: out)
            Output.line("backed up \(settings.databasePath) to \(out) in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
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

    func run() async throws {
        umask(0o077)
        try await FailureReport.exiting {
            var settings = ServerSettings()
            settings.dataDir = dataDir
            var environment = ProcessInfo.processInfo.environment
            if environment["HANDOFF_MASTER_KEY"] == nil {
                guard let masterKeyFile, let text = try? String(contentsOfFile: masterKeyFile, encoding: .utf8) else {
                    throw SettingsError("give the master key: --master-key-file F or HANDOFF_MASTER_KEY")
                }
                environment["HANDOFF_MASTER_KEY"] = text
            }
            let master = try DataDirectory.masterKey(settings: settings, environment: environment)
            try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            chmod(dataDir, 0o700)
            let database = try VaultDatabase.restore(from: from, to: settings.databasePath)
            guard try await database.integrityCheck() else {
                throw StoreError(.recordCorrupt, "the restored database fails SQLite's integrity check")
            }
            let keys = try await database.loadKeys(master: master)
            if ProcessInfo.processInfo.environment["HANDOFF_MASTER_KEY"] == nil {
                try DataDirectory.createPrivateFile(settings.masterKeyPath, contents: master.fileText())
            }
            let size = try await database.auditSize()
            Output.line("restored \(from) into \(dataDir): integrity ok, keys open (server key name \(keys.keyName)), \(size) audit events")
        }
    }
}
