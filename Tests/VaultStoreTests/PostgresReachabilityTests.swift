import Foundation
import Testing
import VaultCrypto
@testable import VaultPostgres
@testable import VaultStore

/// A database that never answers: start-up gives up within its timeout with a `storageFailure`
/// that says why the last attempt failed, and never quotes the URL's password. No server needed.
@Suite("PostgreSQL reachability")
struct PostgresReachabilityTests {
    @Test("An unreachable database: storage failure naming the last attempt's failure, the password redacted", .timeLimit(.minutes(6)))
    func unreachable() async throws {
        // Port 1 on the loopback: nothing listens there, so every connection is refused.
        let store = try PostgresStore(url: "postgres://vault:not-this-password@127.0.0.1:1/vault?sslmode=require")
        let pool = Task { await store.run() }
        defer { pool.cancel() }
        // Both answer however long the pool keeps trying to connect. The bounds are loose on purpose:
        // this runs beside every other suite in one process on 2 cores, which delays its own tasks
        // (alone: 2 s and 3 s; in make test's full run the whole test took 24-29 s, under ASan up
        // to 68 s, on a machine 2.7x slower than that one more; a 15 s bound here is the likely
        // failure of a CI run). A wait that ignored its timeout would hang: the time limit fails it.
        let asked = ContinuousClock.now
        #expect(await store.isReachable() == false)
        #expect(ContinuousClock.now - asked < .seconds(150), "readiness answered after \(ContinuousClock.now - asked)")
        let started = ContinuousClock.now
        let error = await #expect(throws: StoreError.self) { try await store.waitUntilReachable(timeout: .seconds(3)) }
        #expect(ContinuousClock.now - started < .seconds(150), "gave up after \(ContinuousClock.now - started)")
        #expect(error?.code == .storageFailure)
        let message = try #require(error).description
        #expect(message.contains("does not answer (last attempt: "), "\(message)")
        #expect(!message.contains("last attempt: no attempt"), "\(message)")
        #expect(message.contains("vault:***@127.0.0.1:1"), "\(message)")
        #expect(!message.contains("not-this-password"), "\(message)")
    }
}
