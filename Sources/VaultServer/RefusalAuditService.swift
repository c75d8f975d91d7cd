import Foundation
import Logging
import ServiceLifecycle
import VaultStore

/// Writes the refusal tallies whose window has closed to the audit log, one event per network and
/// window, every `interval`; at shutdown (after the HTTP server has drained) it writes the rest.
/// One transaction per flush whatever the flood: refusals never queue behind real work.
struct RefusalAuditService: Service {
    let store: any HandoffStore
    let refusals: RefusalLimiter
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await flush(now: Date())
            }
        }
        await flush(now: nil)
    }

    /// Audits the closed windows (all of them when `now` is nil).
    func flush(now: Date?) async {
        let tallies = refusals.drainClosed(now: now).map {
            RefusalTally(network: $0.network, count: $0.count, principal: $0.first.principal, requestId: $0.first.requestId)
        }
        do {
            try await store.recordRefusals(tallies, now: Date())
        } catch {
            logger.error("could not audit refused requests", metadata: [
                "networks": .stringConvertible(tallies.count), "error": .string(String(describing: type(of: error))),
            ])
        }
    }
}
