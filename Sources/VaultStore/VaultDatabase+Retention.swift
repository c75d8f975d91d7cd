import Foundation
import GRDB
import HandoffDomain

extension VaultDatabase {
    /// Crypto-shreds what retention says must go, as of `now`: the submissions and packages (each
    /// holding its wrapped data key, deleted with secure_delete on) of handoffs acknowledged longer than the
    /// policy allows, of invites past expiry, and of revoked handoffs; the handoff becomes
    /// `purged`, its invite stops working, and each purge is one audit event. Audit rows stay.
    /// Batches of `StoreFormat.purgeBatch` handoffs, each its own transaction, so that a large
    /// purge never holds the writer long.
    @discardableResult
    package func purge(now: Date, policy: RetentionPolicy) async throws -> PurgeReport {
        let context = OperationContext(principal: nil, remote: "local", requestId: "retention", now: now)
        // The candidates are read without the writer (a scan of every handoff at scale); each batch
        // then takes the writer briefly and checks its rows again, as they are now.
        let candidates = try await read { db in
            let purgeable = RetentionPolicy.purgeableStates, expiring = RetentionPolicy.expiringStates
            return try String.fetchAll(db, sql: """
                SELECT id FROM handoff WHERE state IN (\(databaseQuestionMarks(count: purgeable.count)))
                OR (state IN (\(databaseQuestionMarks(count: expiring.count))) AND expiresAt <= ?) ORDER BY createdAt
                """, arguments: StatementArguments(purgeable + expiring) + [now])
        }
        let report = try await policy.inBatches(candidates) { batch in
            let (done, holdingSince) = try await self.write { db in
                let holdingSince = ContinuousClock.now
                var done: [String] = []
                for id in batch {
                    guard var record = try HandoffRecord.fetchOne(db, key: id), policy.isDue(record, now: now) else { continue }
                    let announced = HandoffEvent.Kind(purgingFrom: record.effectiveState(at: now))
                    try SubmissionRecord.filter(SubmissionRecord.Columns.handoffId == record.id).deleteAll(db)
                    try PackageRecord.filter(PackageRecord.Columns.handoffId == record.id).deleteAll(db)
                    try db.execute(sql: "UPDATE token SET revokedAt = ? WHERE handoffId = ? AND revokedAt IS NULL", arguments: [now, record.id])
                    record.state = HandoffAction.purge.state(after: record.state)
                    try record.update(db)
                    let index = try self.audit(db, .handoffPurged, context: context, handoffId: record.id)
                    if let announced { try Outbox.add(db, HandoffEvent(id: index, kind: announced, handoffId: record.id, at: now)) }
                    done.append(id)
                }
                return (done, holdingSince)
            }
            self.principals.invalidate()
            return (done, holdingSince)
        }
        if !report.purged.isEmpty { await truncateWAL() }
        return report
    }

    /// Copies the write-ahead log into the database and truncates it to zero bytes, so that the
    /// page images of rows just deleted (wrapped data keys, ciphertexts) do not linger in
    /// `vault.sqlite-wal`; `secure_delete` has already overwritten them in the database file.
    /// Best effort: a reader holding an old snapshot can keep frames until the next purge, so a
    /// failure here is not the purge's failure. Backups taken before a purge still hold the purged
    /// data under the current master key: rotating the master key is what retires them.
    func truncateWAL() async {
        _ = try? await writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }
}
