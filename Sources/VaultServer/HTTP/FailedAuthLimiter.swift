import Foundation
import Synchronization

/// Counts failed authentications per client address in fixed windows. Past `limit` failures in a
/// window, every credentialed request from that address is refused with 429 until the window
/// ends, so that guessing tokens from one address stops, not just slows.
final class FailedAuthLimiter: Sendable {
    struct Window {
        var start: Date
        var failures: Int
        var reported: Bool
    }

    let limit: Int
    let window: TimeInterval
    private let windows = Mutex<[String: Window]>([:])
    /// Addresses remembered at most; the oldest windows are dropped past it.
    private let capacity = 10_000

    init(limit: Int = 10, window: TimeInterval = 60) {
        self.limit = limit
        self.window = window
    }

    /// Whether `address` is over the limit now.
    func isBlocked(_ address: String, now: Date) -> Bool {
        windows.withLock { table in
            guard let entry = table[address], now.timeIntervalSince(entry.start) < window else { return false }
            return entry.failures >= limit
        }
    }

    /// Records a failed authentication from `address`.
    func recordFailure(_ address: String, now: Date) {
        windows.withLock { table in
            var entry = table[address] ?? Window(start: now, failures: 0, reported: false)
            if now.timeIntervalSince(entry.start) >= window { entry = Window(start: now, failures: 0, reported: false) }
            entry.failures += 1
            table[address] = entry
            if table.count > capacity {
                for (key, _) in table.sorted(by: { $0.value.start < $1.value.start }).prefix(table.count - capacity) { table[key] = nil }
            }
        }
    }

    /// True once per window for a blocked address: the moment to write the audit event.
    func shouldReport(_ address: String) -> Bool {
        windows.withLock { table in
            guard var entry = table[address], !entry.reported else { return false }
            entry.reported = true
            table[address] = entry
            return true
        }
    }
}
