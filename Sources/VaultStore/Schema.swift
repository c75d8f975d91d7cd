import Foundation
import GRDB

/// The database schema, as migrations. Add a migration; never edit one that has shipped.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "setting") { t in
                t.primaryKey("name", .text)
                t.column("value", .text).notNull()
            }
            try db.create(table: "serverSecret") { t in
                t.primaryKey("name", .text)
                t.column("wrapped", .blob).notNull()
                t.column("keyVersion", .integer).notNull()
            }
            try db.create(table: "recipientKey") { t in
                t.primaryKey("id", .text)
                t.column("publicKey", .blob).notNull().unique()
                t.column("createdAt", .datetime).notNull()
                t.column("active", .boolean).notNull()
            }
            try db.create(table: "handoff") { t in
                t.primaryKey("id", .text)
                t.column("customer", .text).notNull()
                t.column("state", .text).notNull().indexed()
                t.column("recipientKeyId", .text).notNull().references("recipientKey")
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
                t.column("releasedAt", .datetime)
                t.column("acknowledgedAt", .datetime)
            }
            try db.create(table: "token") { t in
                t.primaryKey("id", .text)
                t.column("role", .text).notNull()
                t.column("name", .text).notNull()
                t.column("handoffId", .text).references("handoff", onDelete: .cascade)
                t.column("hash", .blob).notNull().unique()
                t.column("createdAt", .datetime).notNull()
                t.column("revokedAt", .datetime)
            }
            try db.create(table: "submission") { t in
                t.primaryKey("id", .text)
                t.column("handoffId", .text).notNull().references("handoff").indexed()
                t.column("recipientKeyId", .text).notNull().references("recipientKey")
                t.column("receivedAt", .datetime).notNull()
                t.column("auditIndex", .integer).notNull()
                t.column("sealedSHA256", .blob).notNull()
                t.column("ciphertext", .blob).notNull()
                t.column("wrappedKey", .blob).notNull()
                t.column("keyVersion", .integer).notNull()
                t.column("receipt", .text).notNull()
            }
            try db.create(table: "auditEvent") { t in
                // The index is the primary key and starts at 0 (RFC 9162 leaf numbering).
                t.primaryKey("id", .integer)
                t.column("event", .blob).notNull()
                t.column("leafHash", .blob).notNull()
            }
        }
        migrator.registerMigration("v2-merkle-tree") { db in
            // Every perfect-subtree hash of the RFC 9162 tree over the audit events, so that an
            // append, a root and a proof each cost O(log n) reads.
            try db.create(table: "merkleNode", options: [.withoutRowID]) { t in
                t.column("level", .integer).notNull()
                t.column("idx", .integer).notNull()
                t.column("hash", .blob).notNull()
                t.primaryKey(["level", "idx"])
            }
            try db.create(table: "checkpoint") { t in
                t.primaryKey("treeSize", .integer)
                t.column("note", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            let leaves = try Data.fetchAll(db, sql: "SELECT leafHash FROM auditEvent ORDER BY id")
            for (index, leaf) in leaves.enumerated() {
                try AuditTree.append(db, index: Int64(index), leafHash: [UInt8](leaf))
            }
        }
        migrator.registerMigration("v3-record-key-version") { db in
            // The version bound into a record's associated data is the one it was written under and
            // never changes; `keyVersion` is the master key that wraps its data key now, which
            // rotation changes. (Until now the two were always equal.)
            try db.alter(table: "submission") { t in
                t.add(column: "recordKeyVersion", .integer).notNull().defaults(to: 1)
            }
            try db.execute(sql: "UPDATE submission SET recordKeyVersion = keyVersion")
        }
        migrator.registerMigration("v4-latest-submission-index") { db in
            // The generator asks for a handoff's latest submission: one index seek, not a sort of
            // every submission the handoff ever had.
            try db.create(index: "submission_on_handoff_audit", on: "submission", columns: ["handoffId", "auditIndex"])
        }
        migrator.registerMigration("v5-token-expiry") { db in
            // Role tokens may expire (`handoff admin token create --expires`); invites expire with
            // their handoff.
            try db.alter(table: "token") { t in
                t.add(column: "expiresAt", .datetime)
            }
        }
        migrator.registerMigration("v6-package-delivery") { db in
            // The generator's Ed25519 key beside its X25519 key (absent for keys registered before).
            try db.alter(table: "recipientKey") { t in
                t.add(column: "signingPublicKey", .blob)
            }
            // One delivered package per handoff (a new delivery replaces it), encrypted at rest like
            // a submission, with the generator's signature note.
            try db.create(table: "package") { t in
                t.primaryKey("id", .text)
                t.column("handoffId", .text).notNull().unique().references("handoff")
                t.column("deliveredAt", .datetime).notNull()
                t.column("sha256", .blob).notNull()
                t.column("size", .integer).notNull()
                t.column("signature", .text).notNull()
                t.column("ciphertext", .blob).notNull()
                t.column("wrappedKey", .blob).notNull()
                t.column("keyVersion", .integer).notNull()
                t.column("recordKeyVersion", .integer).notNull()
            }
        }
        migrator.registerMigration("v7-submission-count") { db in
            // The per-handoff cap is checked on every submission: a counter in the handoff row
            // keeps that one read, not a count over the handoff's submissions.
            try db.alter(table: "handoff") { t in
                t.add(column: "submissionCount", .integer).notNull().defaults(to: 0)
            }
            try db.execute(sql: "UPDATE handoff SET submissionCount = (SELECT COUNT(*) FROM submission WHERE submission.handoffId = handoff.id)")
        }
        migrator.registerMigration("v8-pinned-tenant") { db in
            // The customer's tenant when the operator pins it in the invite: the generator checks
            // the sealed tenant proof against it (DESIGN.md, "Sign in with Microsoft").
            try db.alter(table: "handoff") { t in
                t.add(column: "tenantId", .text)
            }
        }
        migrator.registerMigration("v9-cosignatures") { db in
            // Witnesses' cosignatures of the log's checkpoints (DESIGN.md, "Witnesses").
            try db.create(table: "cosignature") { t in
                t.column("treeSize", .integer).notNull()
                t.column("witness", .text).notNull()
                t.column("line", .text).notNull()
                t.column("receivedAt", .datetime).notNull()
                t.primaryKey(["treeSize", "witness"])
            }
        }
        migrator.registerMigration("v10-events") { db in
            // The outbox (DESIGN.md, "Events, webhooks and the generator agent"): one row per
            // announced change, written in the change's transaction; `id` is its audit index.
            try db.create(table: "event") { t in
                t.column("id", .integer).primaryKey()
                t.column("type", .text).notNull()
                t.column("handoffId", .text).notNull()
                t.column("at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v11-webhooks") { db in
            // Webhook endpoints and their delivery log (DESIGN.md, "Events, webhooks and the
            // generator agent"); no secret is stored (signing keys are derived).
            try db.create(table: "webhook") { t in
                t.column("id", .text).primaryKey()
                t.column("url", .text).notNull()
                t.column("events", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("cursor", .integer).notNull()
                t.column("failures", .integer).notNull()
                t.column("firstFailureAt", .datetime)
                t.column("nextAttemptAt", .datetime)
                t.column("disabledAt", .datetime)
                t.column("disabledReason", .text)
                t.column("leaseUntil", .datetime)
            }
            try db.create(table: "webhookDelivery") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("webhookId", .text).notNull().indexed()
                t.column("eventId", .integer).notNull()
                t.column("attempt", .integer).notNull()
                t.column("at", .datetime).notNull()
                t.column("status", .integer)
                t.column("outcome", .text).notNull()
                t.column("milliseconds", .integer).notNull()
            }
        }
        migrator.registerMigration("v12-token-handoff-index") { db in
            // A purge stops each handoff's invite tokens: without this index every purged handoff
            // scanned the whole token table (issue 28's scale run).
            try db.create(index: "token_on_handoffId", on: "token", columns: ["handoffId"])
        }
        migrator.registerMigration("v13-one-submission-handoff-index") { db in
            // (handoffId, auditIndex) answers every lookup by handoff that the index on handoffId
            // alone did; that one only cost each submission another index page (issue 28). The
            // PostgreSQL schema never had it.
            try db.drop(index: "submission_on_handoffId")
        }
        return migrator
    }
}
