import Foundation
import HandoffDomain
import Synchronization

/// Principals by token hash, so that an authenticated request does not read the database to
/// learn who is calling. An entry lives until the earliest of: `ttl` after it was read, the
/// token's expiry, and (for an invite) its handoff's expiry. Anything that can take a credential
/// away on this node — revoking a token or a handoff, a purge — empties the cache in the same
/// call, after its transaction committed; `ttl` bounds how long another node sharing the database
/// may still accept a revoked credential.
final class PrincipalCache: Sendable {
    private struct Entry {
        var principal: Principal
        var validUntil: Date
    }

    private struct Table {
        var entries: [Data: Entry] = [:]
        /// Bumped by every invalidation: a read that began before one is not remembered.
        var generation = 0
    }

    let ttl: TimeInterval
    let capacity: Int
    private let table = Mutex(Table())

    init(ttl: TimeInterval = 10, capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The cached principal for `hash` if one is still valid at `now`; otherwise nil and the
    /// generation to hand back to `remember` after reading the database.
    func lookup(_ hash: Data, now: Date) -> (principal: Principal?, generation: Int) {
        table.withLock { table in
            guard let entry = table.entries[hash] else { return (nil, table.generation) }
            guard now < entry.validUntil else {
                table.entries[hash] = nil
                return (nil, table.generation)
            }
            return (entry.principal, table.generation)
        }
    }

    /// Remembers `principal` until `limit` (or `ttl` from `now`, whichever comes first), unless the
    /// cache was invalidated since `generation` (the read may predate a revocation).
    func remember(_ principal: Principal, for hash: Data, now: Date, limit: Date?, generation: Int) {
        let until = min(now.addingTimeInterval(ttl), limit ?? .distantFuture)
        table.withLock { table in
            guard table.generation == generation else { return }
            // A full table is emptied rather than sorted: entries are cheap to read back.
            if table.entries.count >= capacity { table.entries.removeAll(keepingCapacity: true) }
            table.entries[hash] = Entry(principal: principal, validUntil: until)
        }
    }

    /// Forgets everything: a credential may have been taken away.
    func invalidate() {
        table.withLock { table in
            table.entries.removeAll(keepingCapacity: true)
            table.generation += 1
        }
    }
}
