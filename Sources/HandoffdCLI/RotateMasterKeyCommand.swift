import ArgumentParser
import Foundation
import HandoffDomain
import VaultPostgres
import VaultStore

/// `handoffd rotate-master-key`: a new master key version; every data key and server secret
/// re-wrapped in one transaction; the old key retired.
struct RotateMasterKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-master-key",
        abstract: "Re-wrap every data key and the server's secrets under a new master key; retire the old one.",
        discussion: """
            Stop handoffd first (the data directory's lock enforces it); the pause is the rotation's own \
            run time, measured by the rotation test (see the closing note) for hundreds of \
            submissions. The new key is written to master.key.next before the transaction commits; after \
            it the old key is kept as master.key.prev until the database is confirmed to open with the \
            new master.key, each step synced to disk, so a crash anywhere loses no key the database \
            needs: the next start settles the files. With PostgreSQL (--database-url), stop every node \
            first, rotate on one, then copy its new master.key to the others before starting them.

            Example:
              systemctl stop handoffd && handoffd rotate-master-key --data-dir /var/lib/handoffd && systemctl start handoffd
            """
    )

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The data directory.", valueName: "dir"))
    var dataDir: String

    @Option(name: .customLong("database-url"), help: ArgumentHelp("When the records live in PostgreSQL: " + DatabaseURLOption.help, valueName: "url"))
    var databaseURL: String?

    func validate() throws { try DatabaseURLOption.check(databaseURL) }

    @Flag(help: "Machine-readable JSON on standard output.")
    var json = false

    func run() async throws {
        umask(0o077)
        try await FailureReport.exiting {
            let started = Date()
            let environment = ProcessInfo.processInfo.environment
            let (version, moved) = try await VaultStorage.rotateMasterKey(
                directory: DataDirectory(dataDir), databaseURL: databaseURL ?? environment["HANDOFF_DATABASE_URL"], environment: environment, now: Date()
            )
            let seconds = Date().timeIntervalSince(started)
            if json {
                Output.line(CanonicalJSON.string(["version": .integer(Int64(version)), "dataKeys": .integer(Int64(moved)), "milliseconds": .integer(Int64(seconds * 1000))]))
            } else {
                Output.line("master key rotated to version \(version): \(moved) data keys and the server secrets re-wrapped in \(String(format: "%.3f", seconds)) s; the old key is retired")
            }
        }
    }
}
