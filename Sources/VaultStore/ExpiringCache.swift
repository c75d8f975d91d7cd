import Foundation
import HandoffDomain
import Synchronization

/// A bounded in-memory map whose entries expire, for what the store reads on every request (who a
/// token is, a handoff's view). An entry is served from the moment it was read until `ttl` later
/// or its own limit (a token's expiry, say), whichever comes first. `invalidate()` empties it, and
/// a value read from the database before an invalidation is not remembered after it. `ttl` bounds
/// how long a change made by another node sharing the database can go unseen. Callers read
/// through it (`value(for:now:read:)`), which reads a missing key once however many callers miss
/// it at the same time.
package final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// What a read of the database gives: the value, and the latest moment it may be served (nil:
    /// only `ttl` bounds it); nil when there is nothing to remember (no such token, say).
    package typealias Read = (value: Value, limit: Date?)?

    private struct Entry {
        var value: Value
        var readAt: Date
        var validUntil: Date
    }

    /// A read of one key under way, which callers that miss the key join instead of reading again.
    private struct Flight {
        /// The generation it began in: once the cache is invalidated, nobody joins it.
        var generation: Int
        /// The `now` of the caller that began it: nobody whose `now` is earlier joins it.
        var readAt: Date
        var task: Task<Read, any Error>
    }

    /// What a caller of `value(for:now:read:)` does: take the cached value, join a read, or read.
    private enum MissStep {
        case cached(Value)
        case join(Task<Read, any Error>, readAt: Date)
        case lead(Task<Read, any Error>, generation: Int)
    }

    private struct Table {
        var entries: [Key: Entry] = [:]
        var flights: [Key: Flight] = [:]
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

    /// The cached value for `key` if it is valid at `now` (what the tests inspect).
    func lookup(_ key: Key, now: Date) -> Value? {
        table.withLock { table in Self.valid(in: &table, key, now: now) }
    }

    /// The value for `key` at `now`: the cached one while it is valid; otherwise what `read` gives,
    /// remembered until `ttl` later or the read's limit, unless the cache was invalidated since the
    /// read began or holds a value read later. A caller that misses while a read of the key is under way —
    /// begun after the latest invalidation, and not later than the caller's `now` — waits for that
    /// read and takes its value if it is still valid at the caller's `now`, instead of reading
    /// again: a burst of requests for one key when its entry expires is one database read, not one
    /// per request. Nothing but a value is shared: a caller whose joined read gave nil or failed
    /// reads for itself.
    package func value(for key: Key, now: Date, read: @escaping @Sendable () async throws -> Read) async throws -> Value? {
        let step: MissStep = table.withLock { table in
            if let value = Self.valid(in: &table, key, now: now) { return .cached(value) }
            if let flight = table.flights[key], flight.generation == table.generation, flight.readAt <= now {
                return .join(flight.task, readAt: flight.readAt)
            }
            let task = Task { try await read() }
            table.flights[key] = Flight(generation: table.generation, readAt: now, task: task)
            return .lead(task, generation: table.generation)
        }
        switch step {
        case .cached(let value):
            return value
        case .join(let task, let readAt):
            if let shared = try? await task.value, now < validUntil(readAt: readAt, limit: shared.limit) { return shared.value }
            return try await read()?.value
        case .lead(let task, let generation):
            let result = await task.result
            // The flight ends and its value is remembered at once: no caller in between reads again.
            table.withLock { table in
                if table.flights[key]?.task == task { table.flights[key] = nil }
                if case .success(let found?) = result { store(found.value, for: key, now: now, limit: found.limit, generation: generation, in: &table) }
            }
            return try result.get()?.value
        }
    }

    private func store(_ value: Value, for key: Key, now: Date, limit: Date?, generation: Int, in table: inout Table) {
        guard table.generation == generation else { return }
        // A later read already remembered stays.
        if let entry = table.entries[key], entry.readAt > now { return }
        // A full table is emptied rather than sorted: entries are cheap to read back.
        if table.entries.count >= capacity { table.entries.removeAll(keepingCapacity: true) }
        table.entries[key] = Entry(value: value, readAt: now, validUntil: validUntil(readAt: now, limit: limit))
    }

    /// Forgets everything. Reads under way finish, but are neither remembered nor joined.
    package func invalidate() {
        table.withLock { table in
            table.entries.removeAll(keepingCapacity: true)
            table.generation += 1
        }
    }

    /// How long a value read at `readAt` may be served.
    private func validUntil(readAt: Date, limit: Date?) -> Date {
        min(readAt.addingTimeInterval(ttl), limit ?? .distantFuture)
    }

    /// The entry for `key` if it is valid at `now`. An expired entry is dropped; one read after
    /// `now` (a caller that began before the read) is not served to that caller, but stays.
    private static func valid(in table: inout Table, _ key: Key, now: Date) -> Value? {
        guard let entry = table.entries[key] else { return nil }
        guard now < entry.validUntil else {
            table.entries[key] = nil
            return nil
        }
        return entry.readAt <= now ? entry.value : nil
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
