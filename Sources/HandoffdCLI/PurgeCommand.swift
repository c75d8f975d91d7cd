import ArgumentParser
import Foundation
import HandoffDomain
import VaultServer
import VaultPostgres
import VaultStore

/// `handoffd purge --now`: the retention purge, once, without waiting for the server's task.
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Crypto-shred sealed data that retention says must go (acknowledged, expired, revoked).",
        discussion: """
            Runs beside a serving handoffd safely (SQLite serialises the writes): it purges in \
            batches of \(StoreFormat.purgeBatch) handoffs, one transaction each, and leaves the writer \
            free for 100 ms between them so that the serving node's writes go on. --as-of purges as \
            if it were that time (RFC 3339), to rehearse a policy. --json also reports the batches and \
            the longest one in milliseconds.

            Example:
              handoffd purge --now --data-dir /var/lib/handoffd
            """
    )

    @Flag(help: "Purge now (required, so that a bare `handoffd purge` does nothing by accident).")
    var now = false

    @OptionGroup var server: ServerOptions

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Purge as if it were this time (RFC 3339, UTC).", valueName: "time"))
    var asOf: String?

    @Flag(help: "Machine-readable JSON on standard output.")
    var json = false

    func run() async throws {
        guard now else { throw ValidationError("say --now to purge") }
        var moment = Date()
        if let asOf {
            guard let parsed = Timestamp.date(asOf) else { throw ValidationError("--as-of must be like 2027-01-31T00:00:00Z") }
            moment = parsed
        }
        try await FailureReport.exiting {
            let settings = try server.settings()
            let policy = RetentionPolicy(afterAcknowledgement: settings.retentionAfterAcknowledgement, pauseBetweenBatches: .milliseconds(100))
            let asOf = moment
            let report: PurgeReport
            if let url = settings.databaseURL {
                try settings.dataDirectory.checkPrivate()
                report = try await PostgresStore(url: url).withRunning { store in
                    try await store.migrate()
                    return try await store.purge(now: asOf, policy: policy)
                }
            } else {
                report = try await settings.dataDirectory.openDatabase().purge(now: moment, policy: policy)
            }
            let purged = report.purged
            if json {
                Output.line(CanonicalJSON.string([
                    "purged": .array(purged.map(JSONValue.string)), "batches": .integer(Int64(report.batches)),
                    "longestBatchMs": .integer(report.longestBatchMilliseconds),
                ]))
            } else {
                Output.line("purged \(purged.count) handoff(s)" + (purged.isEmpty ? "" : ": " + purged.joined(separator: ", ")))
            }
        }
    }
}
