import ArgumentParser
import Foundation
import HandoffDomain
import VaultServer
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
            submissions. The new key is written to master.key.next before the transaction commits and \
            moved over master.key after, so a crash in between loses nothing: the next start finishes it.

            Example:
              systemctl stop handoffd && handoffd rotate-master-key --data-dir /var/lib/handoffd && systemctl start handoffd
            """
    )

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The data directory.", valueName: "dir"))
    var dataDir: String

    @Flag(help: "Machine-readable JSON on standard output.")
    var json = false

    func run() async throws {
        umask(0o077)
        try await FailureReport.exiting {
            var settings = ServerSettings()
            settings.dataDir = dataDir
            let environment = ProcessInfo.processInfo.environment
            guard environment["HANDOFF_MASTER_KEY"] == nil else {
                throw SettingsError("rotation writes the new key to \(settings.masterKeyPath); unset HANDOFF_MASTER_KEY and keep the key in that file")
            }
            try DataDirectory.checkPrivate(dataDir, what: "the data directory")
            let lock = try DataDirectory.lock(settings, purpose: "rotating the master key")
            defer { close(lock) }
            let next = DataDirectory.nextKeyPath(settings)
            guard !FileManager.default.fileExists(atPath: next) else {
                throw SettingsError("\(next) exists: an earlier rotation did not finish; start handoffd once to complete it")
            }
            let old = try DataDirectory.masterKey(settings: settings, environment: environment)
            let new = try old.successor()
            let started = Date()
            try DataDirectory.createPrivateFile(next, contents: new.fileText())
            let database = try VaultDatabase(path: settings.databasePath)
            let moved: Int
            do {
                moved = try await database.rotateMasterKey(from: old, to: new, now: Date())
            } catch {
                unlink(next)
                throw error
            }
            guard rename(next, settings.masterKeyPath) == 0 else {
                throw SettingsError("rotated, but could not move \(next) over \(settings.masterKeyPath); move it by hand before starting")
            }
            let seconds = Date().timeIntervalSince(started)
            if json {
                Output.line(CanonicalJSON.string(["version": .integer(Int64(new.version)), "dataKeys": .integer(Int64(moved)), "milliseconds": .integer(Int64(seconds * 1000))]))
            } else {
                Output.line("master key rotated to version \(new.version): \(moved) data keys and the server secrets re-wrapped in \(String(format: "%.3f", seconds)) s; the old key is retired")
            }
        }
    }
}
