import Foundation
import GRDB
import HandoffDomain
import PostgresNIO
import TestSupport
import Testing
import VaultCrypto
@testable import VaultPostgres
@testable import VaultStore

extension Backend: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}

/// A store of either backend with a registered generator key, a moved clock and the contexts of
/// each role: the store suites run every rule against SQLite and PostgreSQL alike.
struct StoreFixture {
    let opened: TestStore
    let admin: OperationContext
    let recipient: SealingKeyPair

    var store: any HandoffStore { opened.store }
    var keys: ServerKeys { opened.keys }
    var backend: Backend { opened.backend }

    init(_ backend: Backend, now: Date = Date(timeIntervalSince1970: 1_800_000_000), checkpointInterval: Int64 = 100) async throws {
        opened = try await TestStore(backend, checkpointInterval: checkpointInterval, now: now)
        admin = OperationContext(principal: Principal(tokenId: "tok_admin", role: .admin, handoffId: nil), remote: "127.0.0.1", requestId: "r", now: now)
        recipient = try SealingKeyPair.generate()
        _ = try await store.setRecipientKey(recipient.publicKey, signingKey: nil, context: admin)
    }

    func customer(_ handoffId: String, at now: Date? = nil) -> OperationContext {
        OperationContext(principal: Principal(tokenId: "tok_c", role: .customer, handoffId: handoffId), remote: "127.0.0.1", requestId: "r", now: now ?? admin.now)
    }

    var generator: OperationContext {
        OperationContext(principal: Principal(tokenId: "tok_g", role: .generator, handoffId: nil), remote: "127.0.0.1", requestId: "r", now: admin.now)
    }

    /// A submission of `byte` repeated, sealed to the registered key.
    @discardableResult
    func submit(_ handoffId: String, byte: UInt8 = 1, at now: Date? = nil) async throws -> SubmissionReceipt {
        try await store.storeSubmission(
            handoffId: handoffId, sealed: Array(repeating: byte, count: 80), recipientKeyId: recipient.publicKey.keyId, limit: 100,
            context: customer(handoffId, at: now)
        )
    }

    /// The first column of every row a query answers, as text: the SQLite spelling or the
    /// PostgreSQL one (their column names differ), for what the store's protocol does not show.
    func strings(sqlite: String, postgres: String) async throws -> [String] {
        switch opened.store {
        case let database as VaultDatabase:
            return try await database.writer.read { db in try String.fetchAll(db, sql: sqlite) }
        case let store as PostgresStore:
            return try await store.read { connection in
                var values: [String] = []
                for try await value in try await connection.query(PostgresQuery(unsafeSQL: postgres), logger: store.logger).decode(String.self) {
                    values.append(value)
                }
                return values
            }
        default:
            throw TestStoreError("no raw access to \(type(of: opened.store))")
        }
    }

    /// Runs a statement that changes rows behind the store's back (tampering).
    func tamper(sqlite: String, postgres: String) async throws {
        switch opened.store {
        case let database as VaultDatabase:
            try await database.writer.write { db in try db.execute(sql: sqlite) }
        case let store as PostgresStore:
            try await store.write(auditLock: false) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: postgres), logger: store.logger)
            }
        default:
            throw TestStoreError("no raw access to \(type(of: opened.store))")
        }
    }

    /// Every checkpoint the store kept, verified with the server's key, smallest first.
    func signedCheckpoints() async throws -> [AuditCheckpoint] {
        try await strings(sqlite: "SELECT note FROM checkpoint ORDER BY treeSize", postgres: "SELECT note FROM checkpoint ORDER BY tree_size")
            .map { try AuditCheckpoint.verify($0, publicKey: keys.signing.publicKey) }
    }

    /// The actions of the audit log, in order.
    func auditActions() async throws -> [String] {
        try await store.auditEvents(from: 0, limit: 1_000).map {
            try JSONParser.parse($0.bytes).objectValue?["action"]?.stringValue ?? "?"
        }
    }
}

extension StoreFixture {
    /// An audited write that appends its event (announcing a revocation of `handoffId`) and then
    /// runs a statement the database refuses: through the store's shared (group) transactions.
    func auditedWriteTheDatabaseRefuses(_ handoffId: String) async throws {
        switch opened.store {
        case let database as VaultDatabase:
            try await database.writeGrouped { db in
                try database.audit(db, .handoffRevoked, context: admin, handoffId: handoffId)
                try db.execute(sql: "INSERT INTO no_such_table VALUES (1)")
            }
        case let store as PostgresStore:
            try await store.write { connection in
                try await store.audit(connection, .handoffRevoked, context: admin, handoffId: handoffId)
                try await connection.query("SELECT 1 / 0", logger: store.logger)
            }
        default:
            throw TestStoreError("no raw access to \(type(of: opened.store))")
        }
    }
}
