import Foundation
import GRDB
import HandoffDomain

/// Appends audit events inside the caller's transaction: when the insert fails, the whole
/// operation fails with it (fail closed).
enum AuditLog {
    /// Appends one event and returns its index.
    @discardableResult
    static func append(
        _ db: Database, _ action: AuditEvent.Action, outcome: AuditEvent.Outcome = .success,
        context: OperationContext, handoffId: String? = nil, submissionId: String? = nil,
        target: AuditEvent.Target? = nil, count: Int64? = nil, signer: CheckpointSigner?
    ) throws -> Int64 {
        // The next leaf of the tree; a row already holding that index (slipped in behind the
        // tree's back) makes the insert fail, and with it the action.
        let index = try AuditTree.size(db)
        let (bytes, leafHash) = try AuditRule.entry(
            index: index, action, outcome: outcome, context: context, handoffId: handoffId, submissionId: submissionId, target: target, count: count
        )
        try db.cachedStatement(sql: "INSERT INTO auditEvent (id, event, leafHash) VALUES (?, ?, ?)")
            .execute(arguments: [index, Data(bytes), Data(leafHash)])
        try AuditTree.append(db, index: index, leafHash: leafHash)
        if AuditRule.checkpointDue(afterEvent: index, signer: signer), let signer {
            try AuditTree.checkpoint(db, signer: signer, now: context.now)
        }
        return index
    }

    /// Every event's canonical bytes from `after` on, in order.
    static func events(_ db: Database, from start: Int64, limit: Int) throws -> [(Int64, Data)] {
        try AuditEventRecord.filter(Column("id") >= start).order(Column("id")).limit(limit).fetchAll(db).map { ($0.id, $0.event) }
    }
}
