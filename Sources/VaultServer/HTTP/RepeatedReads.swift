import Foundation
import HandoffDomain
import Synchronization
import VaultStore

/// Audited reads (package fetches, releases of a submission already released) per credential,
/// handoff and action, in fixed windows: the first read of a window is audited in its own
/// transaction, before anything is handed over (fail closed), and the repeats that follow it
/// within the window are counted and audited as one event with their `count` when the window
/// closes. So one credential cannot grow the log by one event, nor take the global write lock,
/// per request (DESIGN.md, threat model), while every read stays on the log.
///
/// Memory is bounded like `RefusalLimiter`'s: an LRU of `capacity` open windows; a window pushed
/// out with repeats to audit waits for the next flush (`AuditTally.append` folds past `capacity`).
final class RepeatedReads: Sendable {
    /// The reads counted together.
    struct Key: Sendable {
        var action: AuditEvent.Action
        var handoffId: String
        var principal: Principal

        var text: String { "\(action.rawValue) \(handoffId) \(principal.tokenId)" }
    }

    private struct Window: Sendable {
        var key: Key
        var start: Date
        var remote: String
        var requestId: String
        var repeats: Int
    }

    private struct State {
        var open: LRUTable<Window>
        var closed: [AuditTally] = []
    }

    let window: TimeInterval
    let capacity: Int
    private let state: Mutex<State>

    init(window: TimeInterval = 60, capacity: Int = 10_000) {
        self.window = window
        self.capacity = capacity
        state = Mutex(State(open: LRUTable(capacity: capacity)))
    }

    /// Whether this read must be audited now: no window is open for `key`.
    func mustAudit(_ key: Key, now: Date) -> Bool {
        state.withLock { state in
            guard let open = state.open.value(for: key.text) else { return true }
            return now.timeIntervalSince(open.start) >= window
        }
    }

    /// Records a read that was served: `audited` ones open a window, the others count in it.
    func record(_ key: Key, audited: Bool, remote: String, requestId: String, now: Date) {
        state.withLock { state in
            if !audited, var open = state.open.value(for: key.text), now.timeIntervalSince(open.start) < window {
                open.repeats += 1
                state.open.set(key.text, open)
                return
            }
            if let previous = state.open.value(for: key.text) { Self.close(previous, in: &state, capacity: capacity) }
            let opened = Window(key: key, start: now, remote: remote, requestId: requestId, repeats: audited ? 0 : 1)
            if let pushedOut = state.open.set(key.text, opened) { Self.close(pushedOut.value, in: &state, capacity: capacity) }
        }
    }

    /// Removes and returns the repeats of the windows closed by `now` (all of them when `now` is
    /// nil, at shutdown), one tally per window that had any.
    func drainClosed(now: Date?) -> [AuditTally] {
        state.withLock { state in
            var closedWindows: [Window] = []
            state.open.filter { _, open in
                let closed = now.map { $0.timeIntervalSince(open.start) >= window } ?? true
                if closed { closedWindows.append(open) }
                return !closed
            }
            for closed in closedWindows { Self.close(closed, in: &state, capacity: capacity) }
            defer { state.closed = [] }
            return state.closed
        }
    }

    private static func close(_ window: Window, in state: inout State, capacity: Int) {
        guard window.repeats > 0 else { return }
        let tally = AuditTally(
            action: window.key.action, outcome: .success, handoffId: window.key.handoffId, remote: window.remote, count: window.repeats,
            principal: window.key.principal, requestId: window.requestId
        )
        AuditTally.append(tally, to: &state.closed, capacity: capacity)
    }
}
