/// The Levenshtein distance between two words: how the typo guards (an unknown field, an unknown
/// command) find the name that was meant.
package enum EditDistance {
    /// Insertions, deletions and substitutions that turn `a` into `b`.
    package static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for (i, left) in a.enumerated() {
            var row = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, right) in b.enumerated() {
                row[j + 1] = Swift.min(previous[j + 1] + 1, row[j] + 1, previous[j] + (left == right ? 0 : 1))
            }
            previous = row
        }
        return previous[b.count]
    }
}
