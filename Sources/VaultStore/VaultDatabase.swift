import Foundation
import GRDB
import Synchronization
import HandoffDomain
import VaultCrypto

/// The vault's SQLite database: one file in WAL mode with `synchronous=FULL`, foreign keys on
/// and `secure_delete` on. Every public method is one domain operation and one transaction.
package final class VaultDatabase: Sendable {
    let writer: DatabasePool
    /// The database file's path.
    package let path: String
    /// The server's keys and the checkpoint cadence, once `DataDirectory.open` (or `initialize`,
    /// `restore`) has opened them; operations that need keys refuse before then.
    private let serverKeys = ServerKeyHolder()
    /// Concurrent submissions share transactions (and fsyncs) through it.
    let groupCommit: GroupCommit
    /// Who a token hash is, without a read per request: until the token's or invite's expiry or
    /// 10 s, and emptied when a token or handoff is revoked or purged.
    let principals = ExpiringCache<Data, Principal>(ttl: 10)
    /// Handoff views without a read per request: for 2 s, and emptied by every write transaction
    /// (`write`, `writeGrouped`), so a view never outlives a change made through this node.
    let views = ExpiringCache<String, HandoffView>(ttl: 2)

    /// Opens (and migrates) the database at `path`.
    package init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // Deleted rows (purged data keys) are overwritten, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Each member of a group commit runs in a savepoint, whose journal (the pages' earlier
            // contents) went to a temporary file: 12 of the 26 pwrites per submission (issue 28).
            // In memory it costs at most a group's touched pages, and leaves no page on disk.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        do {
            writer = try DatabasePool(path: path, configuration: configuration)
            // A receipt is sent only after a commit that survives power loss. Set on the writer
            // (the one connection that commits) once the pool is open: GRDB sets it to NORMAL when
            // it turns WAL mode on, after prepareDatabase, and then a commit was synced only at the
            // next checkpoint.
            try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Schema.migrator.migrate(writer)
            groupCommit = GroupCommit(writer: writer)
        } catch {
            throw StoreError(.storageFailure, "cannot open the database at \(path): \(Self.describe(error))")
        }
        self.path = path
    }

    /// Folds the write-ahead log into the file (leaving it empty) and closes every connection once
    /// the operations in flight are done. Operations after it fail as storage failures.
    package func close() throws {
        do {
            try writer.writeWithoutTransaction { _ = try $0.checkpoint(.truncate) }
            try writer.close()
        } catch {
            throw StoreError(.storageFailure, "cannot close the database at \(path): \(Self.describe(error))")
        }
    }

    /// Holds the server's keys from now on, signing a checkpoint every `checkpointInterval` audit
    /// events.
    package func useKeys(_ keys: ServerKeys, checkpointInterval: Int64 = 100) {
        serverKeys.use(keys, checkpointInterval: checkpointInterval)
    }

    var checkpointSigner: CheckpointSigner? { serverKeys.signer }

    /// The server's keys, or `keysUnavailable` before they were opened.
    package func keys() throws -> ServerKeys { try serverKeys.keys() }

    /// Appends an audit event in the caller's transaction (and a checkpoint when one is due), and
    /// the handoff event it announces to the outbox in the same transaction.
    @discardableResult
    func audit(
        _ db: Database, _ action: AuditEvent.Action, outcome: AuditEvent.Outcome = .success,
        context: OperationContext, handoffId: String? = nil, submissionId: String? = nil,
        target: AuditEvent.Target? = nil, count: Int64? = nil
    ) throws -> Int64 {
        let index = try AuditLog.append(
            db, action, outcome: outcome, context: context, handoffId: handoffId, submissionId: submissionId,
            target: target, count: count, signer: checkpointSigner
        )
        if let handoffId, let kind = HandoffEvent.Kind(announcing: action, outcome: outcome, count: count) {
            try Outbox.add(db, HandoffEvent(id: index, kind: kind, handoffId: handoffId, at: context.now))
        }
        return index
    }

    /// Runs one write transaction, turning SQLite failures into `storageFailure`.
    func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        // Whatever happened (a failed COMMIT may still be durable), cached views are stale now.
        defer { views.invalidate() }
        do {
            return try await writer.write(body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(.storageFailure, "the database refused the change: \(Self.describe(error))")
        }
    }

    /// Runs `body` in a transaction shared with other concurrent callers (group commit); the
    /// result is returned after the shared commit. SQLite failures become `storageFailure`.
    func writeGrouped<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        defer { views.invalidate() }
        do {
            return try await groupCommit.run(body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(.storageFailure, "the database refused the change: \(Self.describe(error))")
        }
    }

    /// Runs one read.
    func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(.storageFailure, "the database could not be read: \(Self.describe(error))")
        }
    }

    /// SQLite's result code and message, never statement arguments (which could hold secrets).
    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return "\(error.resultCode) \(error.message ?? "")"
        }
        return "\(type(of: error))"
    }

    /// Whether the database answers a trivial query (readiness).
    package func isReachable() async -> Bool {
        (try? await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }
}
