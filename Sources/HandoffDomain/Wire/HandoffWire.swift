import Foundation

/// A handoff as the API shows it (`GET /v1/handoffs`, `GET /v1/handoffs/{id}`): its state and
/// receipts, never values.
public struct HandoffSummary: WireModel, Equatable {
    public let id: String
    /// The customer's name as the admin gave it: arbitrary text, escaped before it is printed.
    public let customer: String
    public let state: HandoffState
    public let createdAt: Date
    public let expiresAt: Date
    /// The latest signed receipt notes, oldest first.
    public let receipts: [String]

    public init(id: String, customer: String, state: HandoffState, createdAt: Date, expiresAt: Date, receipts: [String]) {
        self.id = id
        self.customer = customer
        self.state = state
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.receipts = receipts
    }

    public var json: JSONValue {
        [
            "handoffId": .string(id), "customer": .string(customer), "state": .string(state.rawValue),
            "createdAt": .timestamp(createdAt), "expiresAt": .timestamp(expiresAt), "receipts": .array(receipts.map(JSONValue.string)),
        ]
    }

    public init(json: JSONValue) throws {
        let object = try WireObject(json, "a handoff")
        self.init(
            id: try object.uuid("handoffId"), customer: try object.string("customer"), state: try object.enumeration("state"),
            createdAt: try object.timestamp("createdAt"), expiresAt: try object.timestamp("expiresAt"), receipts: try object.strings("receipts")
        )
    }
}

/// `GET /v1/handoffs`: the handoffs, newest first.
public struct HandoffList: WireModel, Equatable {
    public let handoffs: [HandoffSummary]

    public init(_ handoffs: [HandoffSummary]) { self.handoffs = handoffs }

    public var json: JSONValue { ["handoffs": .array(handoffs.map(\.json))] }

    public init(json: JSONValue) throws {
        self.init(try WireObject(json, "the answer").models("handoffs"))
    }
}

/// `POST /v1/handoffs` (201): the new handoff and its invite code, shown once.
public struct CreatedInvite: WireModel, Equatable {
    public let handoffId: String
    /// The `hv1.` invite code: it carries the customer's token.
    public let inviteCode: String
    public let expiresAt: Date

    public init(handoffId: String, inviteCode: String, expiresAt: Date) {
        self.handoffId = handoffId
        self.inviteCode = inviteCode
        self.expiresAt = expiresAt
    }

    public var json: JSONValue {
        ["handoffId": .string(handoffId), "inviteCode": .string(inviteCode), "expiresAt": .timestamp(expiresAt)]
    }

    public init(json: JSONValue) throws {
        let object = try WireObject(json, "the answer")
        self.init(handoffId: try object.uuid("handoffId"), inviteCode: try object.string("inviteCode"), expiresAt: try object.timestamp("expiresAt"))
    }
}

/// The answer to a change of a handoff's state (`DELETE /v1/handoffs/{id}`, `POST …/ack`).
public struct HandoffStateChange: WireModel, Equatable {
    public let handoffId: String
    public let state: HandoffState

    public init(handoffId: String, state: HandoffState) {
        self.handoffId = handoffId
        self.state = state
    }

    public var json: JSONValue { ["handoffId": .string(handoffId), "state": .string(state.rawValue)] }

    public init(json: JSONValue) throws {
        let object = try WireObject(json, "the answer")
        self.init(handoffId: try object.uuid("handoffId"), state: try object.enumeration("state"))
    }
}

/// `PUT /v1/recipient`: the id of the generator key new invites pin.
public struct RecipientRegistration: WireModel, Equatable {
    public let keyId: String

    public init(keyId: String) { self.keyId = keyId }

    public var json: JSONValue { ["keyId": .string(keyId)] }

    public init(json: JSONValue) throws {
        self.init(keyId: try WireObject(json, "the answer").string("keyId"))
    }
}
