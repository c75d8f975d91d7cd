import Foundation
import HandoffDomain

/// How long sealed data is kept, and how a purge goes: the same on every backend. A backend reads
/// the candidates (`purgeableStates`, `expiringStates`), and purges them with `inBatches`, asking
/// `isDue` of each row inside its batch's transaction.
package struct RetentionPolicy: Sendable, Equatable {
    /// Kept this long after the generator acknowledged the package (default 30 days).
    package var afterAcknowledgement: TimeInterval
    /// How long a purge leaves the writer free between two batches. The server's own purge needs
    /// none (its writes queue behind each batch); a purge in another process does: without a
    /// pause it takes SQLite's lock again before the serving node's busy handler wakes.
    package var pauseBetweenBatches: Duration

    package init(afterAcknowledgement: TimeInterval = 30 * 86_400, pauseBetweenBatches: Duration = .zero) {
        self.afterAcknowledgement = afterAcknowledgement
        self.pauseBetweenBatches = pauseBetweenBatches
    }
}

/// What one purge did.
package struct PurgeReport: Sendable, Equatable {
    /// The handoffs purged, in the order purged.
    package var purged: [String] = []
    /// The transactions it took.
    package var batches = 0
    /// The longest time one of them held the writer: from its first statement inside the
    /// transaction to its commit's return (waiting for the writer not included).
    package var longestBatch: Duration = .zero

    /// `longestBatch` in whole milliseconds, for logs and the command's output.
    package var longestBatchMilliseconds: Int64 { Int64(longestBatch / .milliseconds(1)) }
}

extension RetentionPolicy {
    /// Whether retention purges `record` at `now`: revoked handoffs, invites past expiry, and
    /// handoffs acknowledged (or delivered) longer ago than the policy keeps them.
    package func isDue(_ record: HandoffRecord, now: Date) -> Bool {
        let state = record.effectiveState(at: now)
        guard HandoffAction.purge.isAllowed(in: state) else { return false }
        switch state {
        case .acknowledged, .delivered: return (record.acknowledgedAt ?? now) <= now.addingTimeInterval(-afterAcknowledgement)
        default: return true
        }
    }

    /// Stored states a purge may take at any time (acknowledged and delivered ones still wait for
    /// the policy's period): each backend reads as candidates the handoffs in one of these, or in
    /// one of `expiringStates` past their expiry, and then asks `isDue` of each.
    package static let purgeableStates = HandoffState.allCases.filter { HandoffAction.purge.isAllowed(in: $0) }.map(\.rawValue)
    /// Stored states that become purgeable when the invite expires.
    package static let expiringStates = HandoffState.allCases.filter(\.expiresWithInvite).map(\.rawValue)

    /// Runs `purge` (one transaction, returning the ids it purged and when it began to hold the
    /// writer: the first moment inside its transaction) on `candidates`, `StoreFormat.purgeBatch`
    /// at a time in order, pausing `pauseBetweenBatches` between them; reports what they did and
    /// the longest hold, from that moment to the commit's return.
    package func inBatches(
        _ candidates: [String], _ purge: ([String]) async throws -> (purged: [String], holdingSince: ContinuousClock.Instant)
    ) async throws -> PurgeReport {
        var report = PurgeReport()
        for start in stride(from: 0, to: candidates.count, by: StoreFormat.purgeBatch) {
            if report.batches > 0, pauseBetweenBatches > .zero { try await Task.sleep(for: pauseBetweenBatches) }
            let (purged, holdingSince) = try await purge(Array(candidates[start..<min(start + StoreFormat.purgeBatch, candidates.count)]))
            report.purged += purged
            report.longestBatch = max(report.longestBatch, ContinuousClock.now - holdingSince)
            report.batches += 1
        }
        return report
    }
}
