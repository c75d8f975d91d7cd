import Foundation
import Logging
import ServiceLifecycle
import VaultStore

/// Runs the retention purge at start and every `interval` until shutdown.
struct RetentionService: Service {
    let store: any HandoffStore
    let policy: RetentionPolicy
    let interval: TimeInterval
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let report = try await store.purge(now: Date(), policy: policy)
                    if !report.purged.isEmpty {
                        logger.info("retention purged sealed data", metadata: [
                            "handoffs": .stringConvertible(report.purged.count), "batches": .stringConvertible(report.batches),
                            "longest_batch_ms": .stringConvertible(report.longestBatchMilliseconds),
                        ])
                    }
                } catch {
                    logger.error("retention purge failed; will retry", metadata: ["error": .string(String(describing: type(of: error)))])
                }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }
}
