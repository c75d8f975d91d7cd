import Foundation
import Synchronization

/// Recently read handoff views (the row and its latest receipts), so that a customer or generator
/// polling a handoff does not cost a database read each time. Every write transaction of this
/// store empties it as it ends (`VaultDatabase.write` and `writeGrouped`), so a view never
/// outlives a change made through this node; `ttl` bounds how long a change made by another node
/// sharing the database can go unseen. The state is derived from the row at the time of each
/// request, so an expiry is seen on time.
final class HandoffViewCache: Sendable {
    struct View: Sendable {
        let record: HandoffRecord
        let receipts: [String]
        let readAt: Date
    }

    private struct Table {
        var views: [String: View] = [:]
        var generation = 0
    }

    let ttl: TimeInterval
    let capacity: Int
    private let table = Mutex(Table())

    init(ttl: TimeInterval = 2, capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The cached view of `id` if it is younger than `ttl` at `now`; otherwise nil and the
    /// generation to hand back to `remember`.
    func lookup(_ id: String, now: Date) -> (view: View?, generation: Int) {
        table.withLock { table in
            guard let view = table.views[id], now.timeIntervalSince(view.readAt) < ttl, now >= view.readAt else {
                return (nil, table.generation)
            }
            return (view, table.generation)
        }
    }

    /// Keeps `view` unless a write ended since `generation` (the read may predate it).
    func remember(_ view: View, generation: Int) {
        table.withLock { table in
            guard table.generation == generation else { return }
            if table.views.count >= capacity { table.views.removeAll(keepingCapacity: true) }
            table.views[view.record.id] = view
        }
    }

    /// Forgets every view: something was written.
    func invalidate() {
        table.withLock { table in
            table.views.removeAll(keepingCapacity: true)
            table.generation += 1
        }
    }
}
