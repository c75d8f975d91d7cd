import Foundation
import HandoffDomain
import PostgresNIO
import VaultStore

/// This node's read caches — who a token is, a handoff's view — kept as fresh as SQLite's across
/// nodes: every write transaction announces what it changed on one channel (`NOTIFY` is sent at
/// commit, and only if the transaction commits), every node listens and forgets; a node that is
/// not listening (its listening connection lost, the database restarting) forgets everything
/// when it listens again, and the caches' lifetime (`cacheLifetime`, 1 s) bounds what a lost
/// notification can leave stale.
extension PostgresStore {
    /// The channel nodes announce their changes on.
    static let changeChannel = "handoff_vault_changes"

    /// What a write changed, as far as the caches are concerned.
    enum CachedChange: String, Sendable {
        /// Handoffs, their receipts or packages: views.
        case views
        /// A token or invite stopped (revocation, purge): principals and views.
        case principals
    }

    /// Announces `change` to the other nodes when the caller's transaction commits.
    func announceChange(_ connection: PostgresConnection, _ change: CachedChange) async throws {
        let announcement = announcement(change)
        try await connection.query("SELECT pg_notify(\(announcement.channel), \(announcement.payload))", logger: logger)
    }

    /// The notification of `change` from this node: its channel and payload (what changed, and
    /// this node's id, so that it ignores its own).
    func announcement(_ change: CachedChange) -> (channel: String, payload: String) {
        (Self.changeChannel, change.rawValue + " " + nodeId)
    }

    /// Forgets what `change` makes stale on this node.
    func forget(_ change: CachedChange) {
        views.invalidate()
        if change == .principals { principals.invalidate() }
    }

    /// Listens for the other nodes' changes until the calling task is cancelled, on a connection
    /// of its own; after any failure it forgets everything and listens again a second later.
    func followChanges() async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.changeChannel) { notifications in
                        // Whatever changed before this node listened is forgotten now.
                        self.forget(.principals)
                        for try await notification in notifications {
                            let words = notification.payload.split(separator: " ").map(String.init)
                            guard words.last != self.nodeId else { continue }
                            self.forget(words.first.flatMap(CachedChange.init(rawValue:)) ?? .principals)
                        }
                    }
                }
            } catch {
                logger.debug("not listening for other nodes' changes: \(Self.storeError(error).reason)")
            }
            forget(.principals)
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// One handoff's view: from the cache, or its row, receipts and package time in one read.
    func view(id: String, now: Date) async throws -> HandoffView {
        let view = try await views.value(for: id, now: now) {
            try await self.read { connection in
                guard let row = try await self.handoffRow(connection, id: id) else { return nil }
                let view = HandoffView(record: row, receipts: try await self.receipts(connection, of: id), deliveredAt: try await self.deliveredAt(connection, id))
                return (value: view, limit: nil)
            }
        }
        guard let view else { throw StoreError(.notFound, "no such handoff") }
        return view
    }
}
