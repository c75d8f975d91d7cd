import Foundation
import HandoffDomain
import Synchronization
import VaultStore

/// Counts refused requests (401, 403, 404, 429) per client network — an IPv4 address, or the /64
/// an IPv6 address belongs to, since one host holds a whole /64 — in fixed windows. Past `limit`
/// refusals in a window, every request from that network is answered 429 until the window ends,
/// whatever its credential: guessing tokens, probing routes with a valid token, or walking handoff
/// ids all stop, not just slow down. Refusals are audited aggregated: each window that closes
/// becomes one event with its `count` (see `TallyAuditService`), so a flood can neither grow the
/// log by one event a request nor queue a transaction a request behind real work.
///
/// The table is an LRU of `capacity` networks; a network pushed out with refusals still to audit
/// is kept for the next flush, and past `capacity` of those they are folded into one tally for
/// the network `*`, so memory stays bounded under a flood from many addresses.
final class RefusalLimiter: Sendable {
    /// The first refused request of a window: who it was, for the aggregated event.
    struct Refusal: Sendable {
        var principal: Principal?
        var requestId: String
    }

    /// One network's refusals in one window.
    struct Tally: Sendable {
        var network: String
        var start: Date
        var count: Int
        var first: Refusal
    }

    private struct State {
        var table: LRUTable<Tally>
        var evicted: [AuditTally] = []
    }

    let limit: Int
    let window: TimeInterval
    let capacity: Int
    private let state: Mutex<State>

    init(limit: Int = 10, window: TimeInterval = 60, capacity: Int = 10_000) {
        self.limit = limit
        self.window = window
        self.capacity = capacity
        state = Mutex(State(table: LRUTable(capacity: capacity)))
    }

    /// Seconds until `remote`'s window ends when its network is over the limit now; nil otherwise.
    func retryAfter(_ remote: String, now: Date) -> Int? {
        let network = Self.network(of: remote)
        return state.withLock { state -> Int? in
            guard let tally = state.table.value(for: network), tally.count >= limit else { return nil }
            let left = tally.start.addingTimeInterval(window).timeIntervalSince(now)
            return left > 0 ? max(1, Int(left.rounded(.up))) : nil
        }
    }

    /// Counts one refused request from `remote`.
    func record(_ remote: String, _ refusal: Refusal, now: Date) {
        let network = Self.network(of: remote)
        state.withLock { state in
            if var tally = state.table.value(for: network), now.timeIntervalSince(tally.start) < window {
                tally.count += 1
                state.table.set(network, tally)
                return
            }
            // A new window: the closed one (if any) goes to the next flush.
            if let closed = state.table.value(for: network) { Self.keep(closed, in: &state, capacity: capacity) }
            if let pushedOut = state.table.set(network, Tally(network: network, start: now, count: 1, first: refusal)) {
                Self.keep(pushedOut.value, in: &state, capacity: capacity)
            }
        }
    }

    /// Removes and returns the tallies whose window has closed by `now` (every tally when `now` is
    /// nil, at shutdown): what the next aggregated audit events record.
    func drainClosed(now: Date?) -> [AuditTally] {
        state.withLock { state in
            var closed: [Tally] = []
            state.table.filter { _, tally in
                let isClosed = now.map { $0.timeIntervalSince(tally.start) >= window } ?? true
                if isClosed { closed.append(tally) }
                return !isClosed
            }
            for tally in closed { Self.keep(tally, in: &state, capacity: capacity) }
            defer { state.evicted = [] }
            return state.evicted
        }
    }

    /// Keeps a closed or pushed-out window for the next flush (folded past `capacity`).
    private static func keep(_ tally: Tally, in state: inout State, capacity: Int) {
        let audited = AuditTally(remote: tally.network, count: tally.count, principal: tally.first.principal, requestId: tally.first.requestId)
        AuditTally.append(audited, to: &state.evicted, capacity: capacity)
    }

    /// The network an address is limited as: an IPv4 address itself, an IPv6 address's /64.
    static func network(of remote: String) -> String {
        var address = in6_addr()
        guard remote.contains(":"), inet_pton(AF_INET6, remote, &address) == 1 else { return remote }
        let bytes = withUnsafeBytes(of: &address) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return bytes[12..<16].map(String.init).joined(separator: ".")  // an IPv4-mapped address
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}
