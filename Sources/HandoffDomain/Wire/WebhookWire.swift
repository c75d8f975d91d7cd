import Foundation

/// A webhook endpoint as `GET /v1/webhooks` lists it and `POST /v1/webhooks` answers it (with
/// its signing key, `whpk_…`, that once). Standard Webhooks 1.0 with `v1a` Ed25519 signatures
/// (DESIGN.md, "Events, webhooks and the generator agent").
package struct WebhookEndpoint: WireModel, Equatable {
    /// Whether deliveries go out.
    package enum State: String, Sendable { case enabled, disabled }

    /// `wh_` and 16 hex digits.
    package let id: String
    package let url: String
    /// The event types delivered (all when empty).
    package let events: [HandoffEvent.Kind]
    package let createdAt: Date
    package let state: State
    /// Why it was disabled (the receiver answered 410, or 24 h of failures).
    package let disabledReason: String?
    /// Failed attempts at the event in hand, in a row.
    package let failures: Int
    /// When the event in hand is tried again, while it fails.
    package let nextAttemptAt: Date?
    /// The last event id delivered (or passed over: not among `events`).
    package let cursor: Int64
    /// `whpk_` and the base64 Ed25519 public key: only in the answer that created it.
    package let signingKey: String?

    package init(
        id: String, url: String, events: [HandoffEvent.Kind], createdAt: Date, state: State, disabledReason: String?, failures: Int,
        nextAttemptAt: Date?, cursor: Int64, signingKey: String? = nil
    ) {
        self.id = id
        self.url = url
        self.events = events
        self.createdAt = createdAt
        self.state = state
        self.disabledReason = disabledReason
        self.failures = failures
        self.nextAttemptAt = nextAttemptAt
        self.cursor = cursor
        self.signingKey = signingKey
    }

    /// Whether it is sent events of `kind`.
    package func wants(_ kind: HandoffEvent.Kind) -> Bool { events.isEmpty || events.contains(kind) }

    /// This endpoint with its signing key, for the answer that created it.
    package func with(signingKey: String) -> WebhookEndpoint {
        WebhookEndpoint(
            id: id, url: url, events: events, createdAt: createdAt, state: state, disabledReason: disabledReason, failures: failures,
            nextAttemptAt: nextAttemptAt, cursor: cursor, signingKey: signingKey
        )
    }

    /// A webhook id's form.
    package static func isId(_ text: String) -> Bool {
        text.utf8.count == 19 && text.hasPrefix("wh_") && text.utf8.dropFirst(3).allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    package var json: JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(id), "url": .string(url), "events": .array(events.map { .string($0.rawValue) }), "createdAt": .timestamp(createdAt),
            "state": .string(state.rawValue), "failures": .integer(Int64(failures)), "cursor": .integer(cursor),
        ]
        if let disabledReason { members["disabledReason"] = .string(disabledReason) }
        if let nextAttemptAt { members["nextAttemptAt"] = .timestamp(nextAttemptAt) }
        if let signingKey { members["signingKey"] = .string(signingKey) }
        return .object(members)
    }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "a webhook")
        let events = try object.strings("events").map { name in
            guard let kind = HandoffEvent.Kind(rawValue: name) else { throw FormatError(.answerMalformed, "a webhook names an event type this version does not know") }
            return kind
        }
        self.init(
            id: try object.string("id"), url: try object.string("url"), events: events, createdAt: try object.timestamp("createdAt"),
            state: try object.enumeration("state"), disabledReason: try object.optionalString("disabledReason"),
            failures: Int(try object.integer("failures")), nextAttemptAt: try object.optionalTimestamp("nextAttemptAt"),
            cursor: try object.integer("cursor"), signingKey: try object.optionalString("signingKey")
        )
    }
}

/// `GET /v1/webhooks`.
package struct WebhookList: WireModel, Equatable {
    package let webhooks: [WebhookEndpoint]

    package init(_ webhooks: [WebhookEndpoint]) { self.webhooks = webhooks }

    package var json: JSONValue { ["webhooks": .array(webhooks.map(\.json))] }

    package init(json: JSONValue) throws {
        self.init(try WireObject(json, "the answer").models("webhooks"))
    }
}

/// One attempt to deliver an event to an endpoint, as the admin sees it.
package struct WebhookDelivery: WireModel, Equatable {
    package let eventId: Int64
    package let attempt: Int
    package let at: Date
    /// The receiver's HTTP status, when it answered.
    package let status: Int?
    /// `delivered`, `failed` or `gone`, and for a failure what went wrong (never a secret).
    package let outcome: String
    package let milliseconds: Int

    package init(eventId: Int64, attempt: Int, at: Date, status: Int?, outcome: String, milliseconds: Int) {
        self.eventId = eventId
        self.attempt = attempt
        self.at = at
        self.status = status
        self.outcome = outcome
        self.milliseconds = milliseconds
    }

    package var json: JSONValue {
        var members: [String: JSONValue] = [
            "eventId": .integer(eventId), "attempt": .integer(Int64(attempt)), "at": .timestamp(at), "outcome": .string(outcome),
            "milliseconds": .integer(Int64(milliseconds)),
        ]
        if let status { members["status"] = .integer(Int64(status)) }
        return .object(members)
    }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "a delivery")
        self.init(
            eventId: try object.integer("eventId"), attempt: Int(try object.integer("attempt")), at: try object.timestamp("at"),
            status: object.has("status") ? Int(try object.integer("status")) : nil, outcome: try object.string("outcome"),
            milliseconds: Int(try object.integer("milliseconds"))
        )
    }
}

/// `GET /v1/webhooks/{id}/deliveries`: the latest attempts, newest first.
package struct WebhookDeliveryList: WireModel, Equatable {
    package let deliveries: [WebhookDelivery]

    package init(_ deliveries: [WebhookDelivery]) { self.deliveries = deliveries }

    package var json: JSONValue { ["deliveries": .array(deliveries.map(\.json))] }

    package init(json: JSONValue) throws {
        self.init(try WireObject(json, "the answer").models("deliveries"))
    }
}
