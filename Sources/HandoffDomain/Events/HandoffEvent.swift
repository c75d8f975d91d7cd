import Foundation
import VaultCrypto

/// A state change of a handoff as the event stream and webhooks announce it (DESIGN.md, "Events,
/// webhooks and the generator agent"): its kind, the handoff and when, never a value. The stores
/// write it in the same transaction as the change (an outbox); its `id` is the index of the audit
/// event that recorded the change, so ids increase in commit order and each names its proof in
/// the signed log.
package struct HandoffEvent: WireModel, Equatable {
    /// What changed.
    package enum Kind: String, Sendable, CaseIterable {
        case submitted = "handoff.submitted"
        case released = "handoff.released"
        case acknowledged = "handoff.acknowledged"
        case packageDelivered = "package.delivered"
        case packageFetched = "package.fetched"
        case expired = "handoff.expired"
        case revoked = "handoff.revoked"

        /// The event an audited action announces, if any: successes that change a handoff, not
        /// refusals and not tallies of repeated reads (`count`), which change nothing.
        package init?(announcing action: AuditEvent.Action, outcome: AuditEvent.Outcome, count: Int64?) {
            guard outcome == .success, count == nil else { return nil }
            switch action {
            case .submissionReceived: self = .submitted
            case .submissionReleased: self = .released
            case .handoffAcknowledged: self = .acknowledged
            case .packageDelivered: self = .packageDelivered
            case .packageFetched: self = .packageFetched
            case .handoffRevoked: self = .revoked
            default: return nil
            }
        }

        /// The event purging a handoff in `state` (as read at the purge) announces: an invite
        /// that ran out is `handoff.expired` then; other purges (after acknowledgement or
        /// revocation) follow a change already announced.
        package init?(purgingFrom state: HandoffState) {
            guard state == .expired else { return nil }
            self = .expired
        }
    }

    /// The audit index of the change.
    package let id: Int64
    package let kind: Kind
    package let handoffId: String
    package let at: Date

    package init(id: Int64, kind: Kind, handoffId: String, at: Date) {
        self.id = id
        self.kind = kind
        self.handoffId = handoffId
        self.at = at
    }

    package var json: JSONValue {
        .object(["id": .integer(id), "type": .string(kind.rawValue), "handoffId": .string(handoffId), "at": .timestamp(at)])
    }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "an event")
        let type = try object.string("type")
        guard let kind = Kind(rawValue: type) else { throw FormatError(.answerMalformed, "an event has a type this version does not know") }
        self.init(id: try object.integer("id"), kind: kind, handoffId: try object.uuid("handoffId"), at: try object.timestamp("at"))
    }

    /// The canonical JSON bytes: an SSE `data:` line and a webhook's body.
    package var canonicalBytes: [UInt8] { CanonicalJSON.encode(json) }
}
