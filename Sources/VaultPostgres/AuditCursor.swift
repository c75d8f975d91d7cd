import Synchronization

/// The audit tree's size and right edge, kept in memory for the rest of one group transaction.
/// The group reads them as it takes the audit lock (`PostgresStore.lockAudit`, one round trip) and
/// holds the lock to its commit, so no other node appends meanwhile: each append knows its index
/// and its siblings without asking PostgreSQL (a round trip saved per write, with the lock held).
final class AuditCursor: Sendable {
    /// The tree as the transaction has written it so far.
    struct Position: Sendable {
        /// The number of leaves: the next leaf's index.
        var size: Int64
        /// The root of each perfect subtree on the right edge, by place.
        var edge: [PostgresStore.NodeKey: [UInt8]]
    }

    /// The cursor of the group transaction the current task runs in (nil outside one).
    @TaskLocal static var current: AuditCursor?

    private let state: Mutex<Position?>

    /// A cursor at `position` (read under the lock), or one that knows nothing yet.
    init(at position: Position? = nil) {
        state = Mutex(position)
    }

    /// Where the tree stands, if an append of this transaction has told; nil before the first.
    var position: Position? { state.withLock { $0 } }

    /// Moves the cursor to `position`: past rows once they are written, or back where it was
    /// when work is rolled back to a savepoint.
    func move(to position: Position?) {
        state.withLock { $0 = position }
    }
}

extension AuditCursor.Position {
    /// Moves past the leaf just appended at `index`: the right edge is made of the nodes the append
    /// wrote and the ones of the previous edge that still stand. (A node it lacks would make the
    /// next append's sibling lookup fail, and that member with it.)
    mutating func advance(past index: Int64, appended: [(level: Int64, index: Int64, hash: [UInt8])]) {
        size = index + 1
        for node in appended { edge[PostgresStore.NodeKey(level: node.level, index: node.index)] = node.hash }
        let size = size
        edge = edge.filter { key, _ in (size >> key.level) & 1 == 1 && key.index == (size >> key.level) - 1 }
    }
}
