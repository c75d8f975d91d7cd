import Foundation
import Synchronization

/// What the agent's loop waits on between rounds: a new event on the stream, a stop request
/// (SIGTERM, SIGINT), or the time limit — whichever comes first. A signal that arrives while
/// nobody waits is kept for the next wait.
actor Wakeup {
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?
    private var generation = 0

    /// Wakes the waiting loop, or the next wait.
    func signal() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending = true
        }
    }

    /// Returns on a signal or after `limit`.
    func wait(upTo limit: Duration) async {
        if pending {
            pending = false
            return
        }
        generation += 1
        let current = generation
        await withCheckedContinuation { continuation in
            waiter = continuation
            Task {
                try? await Task.sleep(for: limit)
                await self.expire(current)
            }
        }
    }

    private func expire(_ generation: Int) {
        guard generation == self.generation, let waiter else { return }
        self.waiter = nil
        waiter.resume()
    }
}

/// SIGTERM and SIGINT as a request to stop after the step in hand.
final class StopRequest: @unchecked Sendable {
    private final class Flag: Sendable { let value = Mutex(false) }
    private let requested = Flag()
    /// Kept alive for the process's life; never touched after `init` (hence unchecked).
    private let sources: [any DispatchSourceSignal]

    /// Catches SIGTERM and SIGINT from now on; each wakes `wakeup`.
    init(wakeup: Wakeup) {
        let requested = self.requested
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                requested.value.withLock { $0 = true }
                Task { await wakeup.signal() }
            }
            source.resume()
            return source
        }
    }

    var isRequested: Bool { requested.value.withLock { $0 } }
}
