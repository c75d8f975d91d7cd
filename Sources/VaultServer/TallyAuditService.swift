import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VaultStore

/// Writes what was counted rather than audited one by one — refusals per network, repeated
/// audited reads per credential and handoff — once its window has closed, one event per tally,
/// every `interval`; at shutdown (after the HTTP server has drained) it writes the rest. One
/// transaction per flush whatever the flood, so counted requests never queue behind real work.
///
/// A flush that fails (the database unreachable, the disk full) loses nothing: its tallies are
/// kept, bounded (`AuditTally.append` folds them past `capacity`), and written with the next
/// flush that succeeds.
struct TallyAuditService: Service {
    let store: any HandoffStore
    let refusals: RefusalLimiter
    let reads: RepeatedReads
    let interval: Duration
    let logger: Logger
    var capacity = 10_000

    func run() async throws {
        let pending = PendingTallies()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await flush(now: Date(), pending: pending)
            }
        }
        await flush(now: nil, pending: pending)
    }

    /// Audits the closed windows (all of them when `now` is nil) and whatever an earlier flush
    /// could not write.
    func flush(now: Date?, pending: PendingTallies) async {
        var tallies = pending.take()
        for tally in refusals.drainClosed(now: now) + reads.drainClosed(now: now) {
            AuditTally.append(tally, to: &tallies, capacity: capacity)
        }
        guard !tallies.isEmpty else { return }
        do {
            try await store.recordTallies(tallies, now: Date())
        } catch {
            pending.keep(tallies)
            logger.error("could not audit counted requests; kept for the next flush", metadata: [
                "tallies": .stringConvertible(tallies.count), "error": .string(String(describing: type(of: error))),
            ])
        }
    }
}

/// The tallies a failed flush kept, for the next one (the service's loop and its shutdown flush).
final class PendingTallies: Sendable {
    private let tallies = Mutex<[AuditTally]>([])

    func take() -> [AuditTally] { tallies.withLock { value in defer { value = [] }; return value } }
    func keep(_ kept: [AuditTally]) { tallies.withLock { $0 = kept + $0 } }
}
