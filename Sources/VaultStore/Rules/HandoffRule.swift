import Foundation
import HandoffDomain

/// What a store checks and decides about a handoff before it writes, the same on every backend:
/// a backend reads the rows (locked for the transaction where it writes), asks these, and writes
/// what they answer. The states, who may act and what follows come from the domain
/// (`HandoffState`, `HandoffAction`); the wording of the refusals is here, once.
package enum HandoffRule {
    /// The handoff a request names, or `notFound`.
    package static func existing(_ record: HandoffRecord?) throws -> HandoffRecord {
        guard let record else { throw StoreError(.notFound, "no such handoff") }
        return record
    }

    /// The refusal to invite before the generator's key is registered (no active recipient key).
    package static let noRecipientKey = StoreError(.noRecipientKey, "register the generator's public key first (handoff admin recipient set)")

    /// The refusal to fetch a package that was not delivered: "not yet" for a handoff that
    /// exists, "no such handoff" for one that does not (that one counts as a refusal).
    package static func noPackage(handoffExists: Bool) -> StoreError {
        handoffExists ? StoreError(.notReady, "no package has been delivered for this handoff yet") : StoreError(.notFound, "no such handoff")
    }

    /// A submission to `record` sealed to `recipientKeyId`, where at most `limit` are kept: the
    /// state it moves the handoff to, or why it is refused.
    package static func submission(to record: HandoffRecord?, recipientKeyId: String, limit: Int, now: Date) throws -> HandoffState {
        let handoff = try existing(record)
        guard handoff.acceptsCustomer(at: now) else {
            throw StoreError(.conflict, "this handoff no longer accepts submissions (it is \(handoff.effectiveState(at: now).rawValue))")
        }
        guard handoff.submissionCount < limit else {
            throw StoreError(.limitReached, "this handoff has received \(handoff.submissionCount) submissions, the most it takes; ask the operator to revoke it and send a new invite")
        }
        guard handoff.recipientKeyId == recipientKeyId else {
            throw StoreError(.recipientMismatch, "the values were sealed to another key than this handoff's generator key")
        }
        return HandoffAction.submit.state(after: handoff.state)
    }

    /// The effective state of a handoff whose latest submission is asked for, or why it has none.
    package static func releasable(_ record: HandoffRecord?, now: Date) throws -> HandoffState {
        let state = try existing(record).effectiveState(at: now)
        guard HandoffAction.release.isAllowed(in: state) else { throw nothingToRelease(state) }
        return state
    }

    /// The refusal when a handoff in `state` has no submission to release.
    package static func nothingToRelease(_ state: HandoffState) -> StoreError {
        StoreError(.conflict, "this handoff has no submission to release (it is \(state.rawValue))")
    }

    /// What a release writes: whether it is audited (a repeat — the latest submission was
    /// released before and `auditRepeat` is false — is counted by the caller instead), and the
    /// state the handoff moves to, if it moves.
    package struct Release: Sendable, Equatable {
        package let audited: Bool
        package let newState: HandoffState?
    }

    /// The release of the latest submission of a handoff in `state`.
    package static func release(from state: HandoffState, auditRepeat: Bool) -> Release {
        if !auditRepeat, state.hasReleasedLatest { return Release(audited: false, newState: nil) }
        let next = HandoffAction.release.state(after: state)
        return Release(audited: true, newState: next == state ? nil : next)
    }

    /// The generator's acknowledgement: the state it moves the handoff to, or why it is refused.
    package static func acknowledgement(of record: HandoffRecord?, now: Date) throws -> HandoffState {
        let handoff = try existing(record)
        let state = handoff.effectiveState(at: now)
        guard HandoffAction.acknowledge.isAllowed(in: state) else {
            throw StoreError(.conflict, "only a released handoff can be acknowledged (it is \(state.rawValue))")
        }
        return HandoffAction.acknowledge.state(after: state)
    }

    /// An admin's revocation: the state it moves the handoff to, or why it is refused.
    package static func revocation(of record: HandoffRecord?) throws -> HandoffState {
        guard let record, HandoffAction.revoke.isAllowed(in: record.state) else {
            throw StoreError(.notFound, "no such handoff, or it is already revoked")
        }
        return HandoffAction.revoke.state(after: record.state)
    }

    /// A package delivery to `record` (its signature is `PackageDeliveryRule`'s): the state it
    /// moves the handoff to, or why it is refused.
    package static func delivery(to record: HandoffRecord?, now: Date) throws -> HandoffState {
        let state = try existing(record).effectiveState(at: now)
        guard HandoffAction.deliverPackage.isAllowed(in: state) else {
            throw StoreError(.conflict, "a package is delivered after the values were fetched (the handoff is \(state.rawValue))")
        }
        return HandoffAction.deliverPackage.state(after: state)
    }
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
}

extension RetentionPolicy {
    /// Stored states a purge may take at any time (acknowledged and delivered ones still wait for
    /// the policy's period): each backend reads as candidates the handoffs in one of these, or in
    /// one of `expiringStates` past their expiry, and then asks `isDue` of each.
    package static let purgeableStates = HandoffState.allCases.filter { HandoffAction.purge.isAllowed(in: $0) }.map(\.rawValue)
    /// Stored states that become purgeable when the invite expires.
    package static let expiringStates = HandoffState.allCases.filter(\.expiresWithInvite).map(\.rawValue)

    /// `candidates` cut into the purge's transactions, `StoreFormat.purgeBatch` each, in order.
    package static func batches(_ candidates: [String]) -> [[String]] {
        stride(from: 0, to: candidates.count, by: StoreFormat.purgeBatch).map { Array(candidates[$0..<min($0 + StoreFormat.purgeBatch, candidates.count)]) }
    }

    /// Runs `purge` (one transaction, returning the ids it purged and when it began to hold the
    /// writer: the first moment inside its transaction) on each batch of `candidates`, pausing
    /// `pauseBetweenBatches` between them, and reports what they did and the longest hold, from
    /// that moment to the commit's return.
    package func inBatches(
        _ candidates: [String], _ purge: ([String]) async throws -> (purged: [String], holdingSince: ContinuousClock.Instant)
    ) async throws -> PurgeReport {
        var report = PurgeReport()
        for batch in Self.batches(candidates) {
            if report.batches > 0, pauseBetweenBatches > .zero { try await Task.sleep(for: pauseBetweenBatches) }
            let (purged, holdingSince) = try await purge(batch)
            report.purged += purged
            report.longestBatch = max(report.longestBatch, ContinuousClock.now - holdingSince)
            report.batches += 1
        }
        return report
    }
}
