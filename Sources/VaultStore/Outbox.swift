import Foundation
import GRDB
import HandoffDomain

/// The events outbox on SQLite: rows written inside the transaction of the change they
/// announce, read in id order by the event stream and the webhook deliveries.
enum Outbox {
    static func add(_ db: Database, _ event: HandoffEvent) throws {
        try db.cachedStatement(sql: "INSERT INTO event (id, type, handoffId, at) VALUES (?, ?, ?, ?)")
            .execute(arguments: [event.id, event.kind.rawValue, event.handoffId, event.at])
    }

    /// Events with id > `after`, in order, at most `limit`; rows of a kind this version does not
    /// know are skipped.
    static func events(_ db: Database, after: Int64, limit: Int) throws -> [HandoffEvent] {
        try Row.fetchAll(db, sql: "SELECT id, type, handoffId, at FROM event WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, limit])
            .compactMap { row in
                HandoffEvent.Kind(rawValue: row["type"]).map { HandoffEvent(id: row["id"], kind: $0, handoffId: row["handoffId"], at: row["at"]) }
            }
    }
}

extension VaultDatabase {
    /// Events with id > `after`, oldest first, at most `limit`.
    package func events(after: Int64, limit: Int) async throws -> [HandoffEvent] {
        try await read { db in try Outbox.events(db, after: after, limit: limit) }
    }

    /// The newest event's id (-1 when there is none).
    package func latestEventId() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), -1) FROM event") ?? -1 }
    }
}
