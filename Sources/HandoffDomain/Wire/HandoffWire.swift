import Foundation

/// A handoff as the API shows it (`GET /v1/handoffs`, `GET /v1/handoffs/{id}`): its state and
/// receipts, never values.
package struct HandoffSummary: WireModel, Equatable {
    package let id: String
    /// The customer's name as the admin gave it: arbitrary text, escaped before it is printed.
    package let customer: String
    package let state: HandoffState
    package let createdAt: Date
    package let expiresAt: Date
    /// The latest signed receipt notes, oldest first.
    package let receipts: [String]
    /// The customer's tenant, when the operator pinned it in the invite (the generator checks the
    /// sealed tenant proof against it).
    package let tenantId: String?
    /// Whether the generator has delivered a package to this handoff (so a submission in a later
    /// state is the Step 10 Object ID, and the customer's words say so).
    package let packageDelivered: Bool
    /// When Altoura's generator fetched the latest submission (nil while it has not).
    package let pickedUpAt: Date?
    /// When the package the handoff holds was delivered (nil: none).
    package let deliveredAt: Date?

    package init(
        id: String, customer: String, state: HandoffState, createdAt: Date, expiresAt: Date, receipts: [String], tenantId: String? = nil,
        packageDelivered: Bool = false, pickedUpAt: Date? = nil, deliveredAt: Date? = nil
    ) {
        self.id = id
        self.customer = customer
        self.state = state
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.receipts = receipts
        self.tenantId = tenantId
        self.packageDelivered = packageDelivered || deliveredAt != nil
        self.pickedUpAt = pickedUpAt
        self.deliveredAt = deliveredAt
    }

    /// Where the handoff stands for its customer, in the deployment steps' words.
    package var guidance: CustomerGuidance { state.guidance(packageDelivered: packageDelivered) }

    package var json: JSONValue {
        var members: [String: JSONValue] = [
            "handoffId": .string(id), "customer": .string(customer), "state": .string(state.rawValue),
            "createdAt": .timestamp(createdAt), "expiresAt": .timestamp(expiresAt), "receipts": .array(receipts.map(JSONValue.string)),
            "packageDelivered": .bool(packageDelivered),
        ]
        if let tenantId { members["tenantId"] = .string(tenantId) }
        if let pickedUpAt { members["pickedUpAt"] = .timestamp(pickedUpAt) }
        if let deliveredAt { members["deliveredAt"] = .timestamp(deliveredAt) }
        return .object(members)
    }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "a handoff")
        let tenantId = try object.optionalString("tenantId")
        if let tenantId, !HandoffValues.isGUID(tenantId) {
            throw FormatError(.answerMalformed, "the handoff's tenantId is not a GUID")
        }
        self.init(
            id: try object.uuid("handoffId"), customer: try object.string("customer"), state: try object.enumeration("state"),
            createdAt: try object.timestamp("createdAt"), expiresAt: try object.timestamp("expiresAt"), receipts: try object.strings("receipts"),
            tenantId: tenantId?.lowercased(), packageDelivered: try object.optionalBool("packageDelivered") ?? false,
            pickedUpAt: try object.optionalTimestamp("pickedUpAt"), deliveredAt: try object.optionalTimestamp("deliveredAt")
        )
    }
}

/// `GET /v1/handoffs`: the handoffs, newest first.
package struct HandoffList: WireModel, Equatable {
    package let handoffs: [HandoffSummary]

    package init(_ handoffs: [HandoffSummary]) { self.handoffs = handoffs }

    package var json: JSONValue { ["handoffs": .array(handoffs.map(\.json))] }

    package init(json: JSONValue) throws {
        self.init(try WireObject(json, "the answer").models("handoffs"))
    }
}

/// `POST /v1/handoffs` (201): the new handoff and its invite code, shown once.
package struct CreatedInvite: WireModel, Equatable {
    package let handoffId: String
    /// The `hv1.` invite code: it carries the customer's token.
    package let inviteCode: String
    package let expiresAt: Date

    package init(handoffId: String, inviteCode: String, expiresAt: Date) {
        self.handoffId = handoffId
        self.inviteCode = inviteCode
        self.expiresAt = expiresAt
    }

    package var json: JSONValue {
        ["handoffId": .string(handoffId), "inviteCode": .string(inviteCode), "expiresAt": .timestamp(expiresAt)]
    }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "the answer")
        self.init(handoffId: try object.uuid("handoffId"), inviteCode: try object.string("inviteCode"), expiresAt: try object.timestamp("expiresAt"))
    }
}

/// The answer to a change of a handoff's state (`DELETE /v1/handoffs/{id}`, `POST …/ack`).
package struct HandoffStateChange: WireModel, Equatable {
    package let handoffId: String
    package let state: HandoffState

    package init(handoffId: String, state: HandoffState) {
        self.handoffId = handoffId
        self.state = state
    }

    package var json: JSONValue { ["handoffId": .string(handoffId), "state": .string(state.rawValue)] }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "the answer")
        self.init(handoffId: try object.uuid("handoffId"), state: try object.enumeration("state"))
    }
}

/// `PUT /v1/recipient`: the id of the generator key new invites pin.
package struct RecipientRegistration: WireModel, Equatable {
    package let keyId: String

    package init(keyId: String) { self.keyId = keyId }

    package var json: JSONValue { ["keyId": .string(keyId)] }

    package init(json: JSONValue) throws {
        self.init(keyId: try WireObject(json, "the answer").string("keyId"))
    }
}
