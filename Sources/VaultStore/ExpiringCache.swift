import Foundation
import HandoffDomain
import Synchronization

/// A bounded in-memory map whose entries expire, for what the store reads on every request (who a
/// token is, a handoff's view). An entry is served from the moment it was read until `ttl` later
/// or its own limit (a token's expiry, say), whichever comes first. `invalidate()` empties it, and
/// a value read from the database before an invalidation is not remembered after it: `lookup`
/// hands out the generation that `remember` must present. `ttl` bounds how long a change made by
/// another node sharing the database can go unseen.
package final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var readAt: Date
        var validUntil: Date
    }

    private struct Table {
        var entries: [Key: Entry] = [:]
        /// Bumped by every invalidation.
        var generation = 0
    }

    package let ttl: TimeInterval
    package let capacity: Int
    private let table = Mutex(Table())

    package init(ttl: TimeInterval, capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The cached value for `key` if it is valid at `now`; otherwise nil and the generation to
    /// hand back to `remember` after reading the database.
    package func lookup(_ key: Key, now: Date) -> (value: Value?, generation: Int) {
        table.withLock { table in
            guard let entry = table.entries[key] else { return (nil, table.generation) }
            guard entry.readAt <= now, now < entry.validUntil else {
                table.entries[key] = nil
                return (nil, table.generation)
            }
            return (entry.value, table.generation)
        }
    }

    /// Remembers `value`, read at `now`, until `limit` or `ttl` later, unless the cache was
    /// invalidated since `generation`.
    package func remember(_ value: Value, for key: Key, now: Date, limit: Date? = nil, generation: Int) {
        let until = min(now.addingTimeInterval(ttl), limit ?? .distantFuture)
        table.withLock { table in
            guard table.generation == generation else { return }
            // A full table is emptied rather than sorted: entries are cheap to read back.
            if table.entries.count >= capacity { table.entries.removeAll(keepingCapacity: true) }
            table.entries[key] = Entry(value: value, readAt: now, validUntil: until)
        }
    }

    /// Forgets everything.
    package func invalidate() {
        table.withLock { table in
            table.entries.removeAll(keepingCapacity: true)
            table.generation += 1
        }
    }
}

/// A handoff as last read: its row and latest receipts (the state is derived per request, so an
/// expiry is seen on time).
package struct HandoffView: Sendable {
    package let record: HandoffRecord
    package let receipts: [String]
    package let deliveredAt: Date?

    package init(record: HandoffRecord, receipts: [String], deliveredAt: Date?) {
        self.record = record
        self.receipts = receipts
        self.deliveredAt = deliveredAt
    }

    /// The summary a reader sees at `now`.
    package func summary(now: Date) -> HandoffSummary {
        record.summary(receipts: receipts, deliveredAt: deliveredAt, now: now)
    }
}
