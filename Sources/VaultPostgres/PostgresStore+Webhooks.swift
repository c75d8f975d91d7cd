import Foundation
import HandoffDomain
import PostgresNIO
import VaultStore

/// The columns of a webhook row, in the order `WebhookRecord(row:)` reads them.
typealias WebhookColumns = (String, String, String, Date, Int64, Int64, Date?, Date?, Date?, String?, Date?)

extension WebhookRecord {
    static let postgresColumns =
        "id, url, events, created_at, cursor, failures, first_failure_at, next_attempt_at, disabled_at, disabled_reason, lease_until"

    init(row: WebhookColumns) {
        self.init(
            id: row.0, url: row.1, events: row.2, createdAt: row.3, cursor: row.4, failures: Int(row.5), firstFailureAt: row.6,
            nextAttemptAt: row.7, disabledAt: row.8, disabledReason: row.9, leaseUntil: row.10
        )
    }
}

extension PostgresStore {
    private func webhookRows(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [WebhookRecord] {
        var records: [WebhookRecord] = []
        for try await row in try await connection.query(query, logger: self.logger).decode(WebhookColumns.self) {
            records.append(WebhookRecord(row: row))
        }
        return records
    }

    package func addWebhook(url: String, events: [HandoffEvent.Kind], context: OperationContext) async throws -> WebhookEndpoint {
        let id = try WebhookRule.newId()
        return try await write { connection in
            let latest = try await self.latestEventId(connection)
            let record = WebhookRecord(id: id, url: url, events: WebhookRule.events(events), createdAt: context.now, cursor: latest)
            try await connection.query("""
                INSERT INTO webhook (id, url, events, created_at, cursor, failures)
                VALUES (\(record.id), \(record.url), \(record.events), \(record.createdAt), \(record.cursor), 0)
                """, logger: self.logger)
            try await self.audit(connection, .webhookAdded, context: context, target: .webhook(id: id))
            return record.endpoint
        }
    }

    package func webhooks() async throws -> [WebhookEndpoint] {
        try await read { connection in
            try await self.webhookRows(connection, PostgresQuery(unsafeSQL: "SELECT \(WebhookRecord.postgresColumns) FROM webhook ORDER BY created_at")).map(\.endpoint)
        }
    }

    package func removeWebhook(id: String, context: OperationContext) async throws {
        try await write { connection in
            let removed = try await connection.query("DELETE FROM webhook WHERE id = \(id) RETURNING id", logger: self.logger).decode(String.self)
                .first(where: { _ in true })
            guard removed != nil else { throw StoreError(.notFound, "no such webhook") }
            try await connection.query("DELETE FROM webhook_delivery WHERE webhook_id = \(id)", logger: self.logger)
            try await self.audit(connection, .webhookRemoved, context: context, target: .webhook(id: id))
        }
    }

    package func webhookDeliveries(id: String, limit: Int) async throws -> [WebhookDelivery] {
        try await read { connection in
            let exists = try await connection.query("SELECT count(*) FROM webhook WHERE id = \(id)", logger: self.logger).decode(Int64.self)
                .first(where: { _ in true }) ?? 0
            guard exists > 0 else { throw StoreError(.notFound, "no such webhook") }
            var deliveries: [WebhookDelivery] = []
            for try await (eventId, attempt, at, status, outcome, milliseconds) in try await connection.query("""
                SELECT event_id, attempt, at, status, outcome, milliseconds FROM webhook_delivery WHERE webhook_id = \(id)
                ORDER BY id DESC LIMIT \(Int64(limit))
                """, logger: self.logger).decode((Int64, Int64, Date, Int64?, String, Int64).self) {
                deliveries.append(WebhookDelivery(
                    eventId: eventId, attempt: Int(attempt), at: at, status: status.map(Int.init), outcome: outcome, milliseconds: Int(milliseconds)
                ))
            }
            return deliveries
        }
    }

    package func claimDueWebhooks(now: Date) async throws -> [WebhookEndpoint] {
        let until = now.addingTimeInterval(WebhookRule.lease)
        // Asked several times a second: a read first, so that an idle vault opens no write
        // transaction for it.
        let anyDue = try await read { connection in
            try await connection.query("""
                SELECT count(*) FROM webhook WHERE disabled_at IS NULL AND cursor < (SELECT COALESCE(MAX(id), -1) FROM event)
                AND (next_attempt_at IS NULL OR next_attempt_at <= \(now)) AND (lease_until IS NULL OR lease_until <= \(now))
                """, logger: self.logger).decode(Int64.self).first(where: { _ in true }) ?? 0
        }
        guard anyDue > 0 else { return [] }
        return try await write(auditLock: false) { connection in
            // One statement: two nodes never both take an endpoint.
            try await self.webhookRows(connection, """
                UPDATE webhook SET lease_until = \(until)
                WHERE disabled_at IS NULL AND cursor < (SELECT COALESCE(MAX(id), -1) FROM event)
                AND (next_attempt_at IS NULL OR next_attempt_at <= \(now)) AND (lease_until IS NULL OR lease_until <= \(now))
                RETURNING id, url, events, created_at, cursor, failures, first_failure_at, next_attempt_at, disabled_at, disabled_reason, lease_until
                """).map(\.endpoint)
        }
    }

    package func recordWebhookAttempt(id: String, eventId: Int64, attempt: WebhookAttempt, now: Date, jitter: Double) async throws {
        try await write(auditLock: false) { connection in
            guard let record = try await self.webhookRows(
                connection, PostgresQuery(unsafeSQL: "SELECT \(WebhookRecord.postgresColumns) FROM webhook WHERE id = $1 FOR UPDATE", binds: self.binds(id))
            ).first else { return }  // removed meanwhile
            let next = WebhookRule.after(record, eventId: eventId, attempt: attempt, now: now, jitter: jitter)
            try await connection.query("""
                UPDATE webhook SET cursor = \(next.cursor), failures = \(Int64(next.failures)), first_failure_at = \(next.firstFailureAt),
                next_attempt_at = \(next.nextAttemptAt), disabled_at = \(next.disabledAt), disabled_reason = \(next.disabledReason), lease_until = \(next.leaseUntil)
                WHERE id = \(id)
                """, logger: self.logger)
            try await connection.query("""
                INSERT INTO webhook_delivery (webhook_id, event_id, attempt, at, status, outcome, milliseconds)
                VALUES (\(id), \(eventId), \(Int64(record.failures + 1)), \(now), \(attempt.status.map(Int64.init)), \(attempt.outcome), \(Int64(attempt.milliseconds)))
                """, logger: self.logger)
        }
    }

    package func passOverWebhookEvents(id: String, through eventId: Int64) async throws {
        try await write(auditLock: false) { connection in
            try await connection.query("UPDATE webhook SET cursor = GREATEST(cursor, \(eventId)) WHERE id = \(id)", logger: self.logger)
        }
    }

    package func releaseWebhook(id: String) async throws {
        try await write(auditLock: false) { connection in
            try await connection.query("UPDATE webhook SET lease_until = NULL WHERE id = \(id)", logger: self.logger)
        }
    }
}
