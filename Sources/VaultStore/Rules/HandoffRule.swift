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
