import Foundation
import HandoffDomain
import PostgresNIO
import VaultStore

extension PostgresStore {
    /// Events with id > `after`, oldest first, at most `limit`; kinds this version does not know
    /// are skipped.
    package func events(after: Int64, limit: Int) async throws -> [HandoffEvent] {
        try await read { connection in
            var events: [HandoffEvent] = []
            for try await (id, type, handoffId, at) in try await connection.query(
                "SELECT id, type, handoff_id, at FROM event WHERE id > \(after) ORDER BY id LIMIT \(Int64(limit))", logger: self.logger
            ).decode((Int64, String, String, Date).self) {
                if let kind = HandoffEvent.Kind(rawValue: type) { events.append(HandoffEvent(id: id, kind: kind, handoffId: handoffId, at: at)) }
            }
            return events
        }
    }

    /// The newest event's id (-1 when there is none).
    package func latestEventId() async throws -> Int64 {
        try await read { connection in try await self.latestEventId(connection) }
    }

    func latestEventId(_ connection: PostgresConnection) async throws -> Int64 {
        try await connection.query("SELECT COALESCE(MAX(id), -1) FROM event", logger: self.logger)
            .decode(Int64.self).first(where: { _ in true }) ?? -1
    }
}
