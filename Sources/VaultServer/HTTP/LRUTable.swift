/// A table of at most `capacity` entries that forgets the least recently used one to make room:
/// O(1) lookups, updates and evictions (a dictionary into a doubly linked list kept in arrays), so
/// that a flood from many addresses costs the same per request as one address does.
struct LRUTable<Value> {
    private struct Slot {
        var key: String
        var value: Value
        var newer: Int
        var older: Int
    }

    let capacity: Int
    private var slots: [Slot] = []
    private var positions: [String: Int] = [:]
    /// Most and least recently used slots (-1 when empty).
    private var newest = -1
    private var oldest = -1

    init(capacity: Int) {
        precondition(capacity > 0, "an LRU table holds at least one entry")
        self.capacity = capacity
    }

    var count: Int { positions.count }

    /// The value for `key`, marking it as the most recently used.
    mutating func value(for key: String) -> Value? {
        guard let position = positions[key] else { return nil }
        moveToNewest(position)
        return slots[position].value
    }

    /// Sets `key`'s value (most recently used); returns the entry evicted to make room, if any.
    @discardableResult
    mutating func set(_ key: String, _ value: Value) -> (key: String, value: Value)? {
        if let position = positions[key] {
            slots[position].value = value
            moveToNewest(position)
            return nil
        }
        if slots.count < capacity {
            slots.append(Slot(key: key, value: value, newer: -1, older: -1))
            let position = slots.count - 1
            positions[key] = position
            link(position)
            return nil
        }
        // Reuse the least recently used slot.
        let position = oldest
        let evicted = (slots[position].key, slots[position].value)
        unlink(position)
        positions[evicted.0] = nil
        slots[position] = Slot(key: key, value: value, newer: -1, older: -1)
        positions[key] = position
        link(position)
        return evicted
    }

    /// Every entry, most recently used first.
    var entries: [(key: String, value: Value)] {
        var result: [(key: String, value: Value)] = []
        var position = newest
        while position >= 0 {
            result.append((slots[position].key, slots[position].value))
            position = slots[position].older
        }
        return result
    }

    /// Keeps only the entries for which `keep` is true.
    mutating func filter(_ keep: (String, Value) -> Bool) {
        let kept = entries.reversed().filter { keep($0.key, $0.value) }
        slots = []
        positions = [:]
        newest = -1
        oldest = -1
        for entry in kept { set(entry.key, entry.value) }
    }

    private mutating func moveToNewest(_ position: Int) {
        guard position != newest else { return }
        unlink(position)
        link(position)
    }

    private mutating func link(_ position: Int) {
        slots[position].older = newest
        slots[position].newer = -1
        if newest >= 0 { slots[newest].newer = position }
        newest = position
        if oldest < 0 { oldest = position }
    }

    private mutating func unlink(_ position: Int) {
        let (newer, older) = (slots[position].newer, slots[position].older)
        if newer >= 0 { slots[newer].older = older } else { newest = older }
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
    }
}
