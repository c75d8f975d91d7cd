import Foundation
import Testing
import VaultCrypto
@testable import VaultPostgres
@testable import VaultStore

/// A database that never answers: start-up gives up within its timeout with a `storageFailure`
/// that says why the last attempt failed, and never quotes the URL's password. No server needed.
@Suite("PostgreSQL reachability")
struct PostgresReachabilityTests {
    @Test("An unreachable database: storage failure naming the last attempt's failure, the password redacted")
    func unreachable() async throws {
        // Port 1 on the loopback: nothing listens there, so every connection is refused.
        let store = try PostgresStore(url: "postgres://vault:not-this-password@127.0.0.1:1/vault?sslmode=require")
        let pool = Task { await store.run() }
        defer { pool.cancel() }
        #expect(await store.isReachable() == false)
        let started = ContinuousClock.now
        let error = await #expect(throws: StoreError.self) { try await store.waitUntilReachable(timeout: .seconds(3)) }
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(error?.code == .storageFailure)
        let message = try #require(error).description
        #expect(message.contains("does not answer (last attempt: "), "\(message)")
        #expect(!message.contains("last attempt: no attempt"), "\(message)")
        #expect(message.contains("vault:***@127.0.0.1:1"), "\(message)")
        #expect(!message.contains("not-this-password"), "\(message)")
    }
}
