import Foundation
import HandoffDomain
import VaultCrypto
import VaultPostgres
import VaultStore

/// Where an in-process test keeps its records: SQLite always; PostgreSQL too when make test runs
/// one (`HANDOFF_TEST_DATABASE_URL`, from scripts/pg/with-server.sh). Every store and server
/// suite takes `Backend.available` as its arguments, so each rule is tested on both.
package enum Backend: String, CaseIterable, Sendable {
    case sqlite, postgres

    package static var available: [Backend] {
        ProcessInfo.processInfo.environment["HANDOFF_TEST_DATABASE_URL"] == nil ? [.sqlite] : [.sqlite, .postgres]
    }
}

/// A freshly initialized store of either backend, with its keys and admin token.
package struct TestStore: Sendable {
    package let backend: Backend
    package let store: any HandoffStore
    package let keys: ServerKeys
    package let adminToken: BearerToken
    /// The temporary data directory (SQLite's file is in it).
    package let directory: URL
    /// The PostgreSQL database's URL (nil on SQLite), for a second node on the same database.
    package let databaseURL: String?
    /// PostgreSQL's connection pool, running until `close()`.
    private let pool: Task<Void, Never>?

    /// Initializes a new vault on `backend` (a new database on the test server for PostgreSQL).
    package init(_ backend: Backend, checkpointInterval: Int64 = 100, now: Date = Date()) async throws {
        self.backend = backend
        directory = try TestPaths.temporaryDirectory()
        let admin = try BearerToken.generate(for: .admin)
        adminToken = admin
        switch backend {
        case .sqlite:
            let database = try await DataDirectory(directory.path).initialize(environment: [:], keyName: "test", adminToken: admin, now: now)
            keys = try database.keys()
            database.useKeys(keys, checkpointInterval: checkpointInterval)
            store = database
            pool = nil
            databaseURL = nil
        case .postgres:
            let url = try await Self.freshDatabase()
            databaseURL = url
            let postgres = try PostgresStore(url: url)
            pool = Task { await postgres.run() }
            // Generous: the suites start many stores at once, beside the end-to-end tests' processes,
            // and a first TLS connection can take longer than a readiness probe's two seconds then.
            try await postgres.waitUntilReachable(timeout: .seconds(90))
            try await postgres.migrate()
            let keys = try await postgres.initialize(master: try MasterKey.generate(), keyName: "test", adminToken: admin, now: now)
            postgres.useKeys(keys, checkpointInterval: checkpointInterval)
            self.keys = keys
            store = postgres
        }
    }

    /// Stops the PostgreSQL pool (SQLite needs nothing).
    package func close() {
        pool?.cancel()
    }

    /// A new, empty database on the test server, for one vault.
    package static func freshDatabase() async throws -> String {
        guard let base = ProcessInfo.processInfo.environment["HANDOFF_TEST_DATABASE_URL"], var url = URLComponents(string: base) else {
            throw TestStoreError("HANDOFF_TEST_DATABASE_URL is not set (run under scripts/pg/with-server.sh)")
        }
        let name = "vault_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        url.path = "/postgres"
        let created = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/lib/postgresql/15/bin/psql"), [url.string ?? "", "-qc", "CREATE DATABASE \(name)"])
        guard created.status == 0 else { throw TestStoreError("CREATE DATABASE: \(created.standardError)") }
        url.path = "/\(name)"
        return url.string ?? ""
    }
}

/// Why a test store could not be made.
package struct TestStoreError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
