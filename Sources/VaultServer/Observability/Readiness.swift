import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Whether `/readyz` says yes. On SIGTERM or SIGINT it turns false first, then waits `grace` so
/// that load balancers stop sending traffic, and only then lets the HTTP server drain.
package final class Readiness: Service, Sendable {
    private let ready = Atomic<Bool>(true)
    private let grace: Duration
    private let logger: Logger

    package init(grace: Duration, logger: Logger) {
        self.grace = grace
        self.logger = logger
    }

    package var isReady: Bool { ready.load(ordering: .relaxed) }

    package func run() async throws {
        // Sleep until shutdown is requested (a cancelled sleep means it was).
        try? await gracefulShutdown()
        ready.store(false, ordering: .relaxed)
        logger.info("shutting down: /readyz now answers 503; draining in-flight requests")
        try? await Task.sleep(for: grace)
    }
}
