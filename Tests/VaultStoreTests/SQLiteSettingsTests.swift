import Foundation
import GRDB
import TestSupport
import Testing
@testable import VaultStore

@Suite("SQLite settings and schema")
struct SQLiteSettingsTests {
    @Test("The writer commits durably; every connection overwrites deleted rows and keeps savepoint journals in memory")
    func connectionSettings() async throws {
        let fixture = try await StoreFixture(.sqlite)
        defer { fixture.opened.close() }
        let database = try #require(fixture.store as? VaultDatabase)
        let query = "SELECT (SELECT secure_delete FROM pragma_secure_delete), (SELECT temp_store FROM pragma_temp_store), (SELECT foreign_keys FROM pragma_foreign_keys)"
        func integers(_ row: Row?) throws -> [Int] {
            Array(try #require(row).databaseValues.compactMap { Int.fromDatabaseValue($0) })
        }
        // synchronous 2 = FULL, on the connection that commits.
        let synchronous = try await database.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == 2)
        let writer = try await database.writer.write { db in try Row.fetchOne(db, sql: query) }
        let reader = try await database.writer.read { db in try Row.fetchOne(db, sql: query) }
        for (name, row) in [("writer", writer), ("reader", reader)] {
            // temp_store 2 = MEMORY.
            #expect(try integers(row) == [1, 2, 1], "\(name)")
        }
    }

    @Test("SQLite finds a handoff's submissions through (handoffId, auditIndex), the one index on handoffId left")
    func oneHandoffIndex() async throws {
        let fixture = try await StoreFixture(.sqlite)
        defer { fixture.opened.close() }
        let database = try #require(fixture.store as? VaultDatabase)
        let indexes = try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'submission' AND sql IS NOT NULL")
        }
        #expect(indexes == ["submission_on_handoff_audit"])
        let plan = try await database.writer.read { db in
            try ["SELECT id FROM submission WHERE handoffId = 'h'", "DELETE FROM submission WHERE handoffId = 'h'"].flatMap { query in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query).map { $0["detail"] as String }
            }
        }
        #expect(plan.count == 2 && plan.allSatisfy { $0.contains("submission_on_handoff_audit") }, "\(plan)")
    }
}
