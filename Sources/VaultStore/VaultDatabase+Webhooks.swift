import Foundation
import GRDB
import HandoffDomain

extension WebhookRecord: FetchableRecord, PersistableRecord {
    package static let databaseTableName = "webhook"
}

extension VaultDatabase {
    package func addWebhook(url: String, events: [HandoffEvent.Kind], context: OperationContext) async throws -> WebhookEndpoint {
        let id = try WebhookRule.newId()
        return try await write { db in
            let latest = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), -1) FROM event") ?? -1
            let record = WebhookRecord(id: id, url: url, events: WebhookRule.events(events), createdAt: context.now, cursor: latest)
            try record.insert(db)
            try self.audit(db, .webhookAdded, context: context, target: .webhook(id: id))
            return record.endpoint
        }
    }

    package func webhooks() async throws -> [WebhookEndpoint] {
        try await read { db in try WebhookRecord.order(Column("createdAt")).fetchAll(db).map(\.endpoint) }
    }

    package func removeWebhook(id: String, context: OperationContext) async throws {
        try await write { db in
            guard try WebhookRecord.deleteOne(db, key: id) else { throw StoreError(.notFound, "no such webhook") }
            try db.execute(sql: "DELETE FROM webhookDelivery WHERE webhookId = ?", arguments: [id])
            try self.audit(db, .webhookRemoved, context: context, target: .webhook(id: id))
        }
    }

    package func webhookDeliveries(id: String, limit: Int) async throws -> [WebhookDelivery] {
        try await read { db in
            guard try WebhookRecord.exists(db, key: id) else { throw StoreError(.notFound, "no such webhook") }
            return try Row.fetchAll(db, sql: """
                SELECT eventId, attempt, at, status, outcome, milliseconds FROM webhookDelivery WHERE webhookId = ? ORDER BY id DESC LIMIT ?
                """, arguments: [id, limit]).map {
                WebhookDelivery(eventId: $0["eventId"], attempt: $0["attempt"], at: $0["at"], status: $0["status"], outcome: $0["outcome"], milliseconds: $0["milliseconds"])
            }
        }
    }

    package func claimDueWebhooks(now: Date) async throws -> [WebhookEndpoint] {
        let dueSQL = """
            SELECT * FROM webhook WHERE disabledAt IS NULL AND cursor < (SELECT COALESCE(MAX(id), -1) FROM event)
            AND (nextAttemptAt IS NULL OR nextAttemptAt <= ?) AND (leaseUntil IS NULL OR leaseUntil <= ?)
            """
        // Asked several times a second: a read first, so that an idle vault takes no write lock
        // (and keeps its cached views) for it.
        guard try await read({ db in try Row.fetchOne(db, sql: dueSQL, arguments: [now, now]) != nil }) else { return [] }
        return try await write { db in
            let due = try WebhookRecord.fetchAll(db, sql: dueSQL, arguments: [now, now])
            for var record in due {
                record.leaseUntil = now.addingTimeInterval(WebhookRule.lease)
                try record.update(db)
            }
            return due.map(\.endpoint)
        }
    }

    package func recordWebhookAttempt(id: String, eventId: Int64, attempt: WebhookAttempt, now: Date, jitter: Double) async throws {
        try await write { db in
            guard let record = try WebhookRecord.fetchOne(db, key: id) else { return }  // removed meanwhile
            try WebhookRule.after(record, eventId: eventId, attempt: attempt, now: now, jitter: jitter).update(db)
            try db.execute(sql: """
                INSERT INTO webhookDelivery (webhookId, eventId, attempt, at, status, outcome, milliseconds) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, eventId, record.failures + 1, now, attempt.status, attempt.outcome, attempt.milliseconds])
        }
    }

    package func passOverWebhookEvents(id: String, through eventId: Int64) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE webhook SET cursor = MAX(cursor, ?) WHERE id = ?", arguments: [eventId, id])
        }
    }

    package func releaseWebhook(id: String) async throws {
        try await write { db in try db.execute(sql: "UPDATE webhook SET leaseUntil = NULL WHERE id = ?", arguments: [id]) }
    }
}
