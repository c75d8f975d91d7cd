import Foundation

/// `POST /v1/tokens` (201): a role token, shown this once; the server keeps only its keyed hash.
package struct IssuedToken: WireModel, Equatable {
    package let id: String
    package let role: Role
    package let token: BearerToken
    package let expiresAt: Date?

    package init(id: String, role: Role, token: BearerToken, expiresAt: Date?) {
        self.id = id
        self.role = role
        self.token = token
        self.expiresAt = expiresAt
    }

    package var json: JSONValue {
        var fields: [String: JSONValue] = ["id": .string(id), "role": .string(role.rawValue), "token": .string(token.withText { $0 })]
        if let expiresAt { fields["expiresAt"] = .timestamp(expiresAt) }
        return .object(fields)
    }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "the answer")
        self.init(
            id: try object.string("id"), role: try object.enumeration("role"), token: BearerToken(text: try object.string("token")),
            expiresAt: try object.optionalTimestamp("expiresAt")
        )
    }
}

/// A role token as `GET /v1/tokens` lists it: never the token itself.
package struct TokenSummary: WireModel, Equatable {
    package let id: String
    package let role: Role
    package let name: String
    package let createdAt: Date
    package let expiresAt: Date?
    package let revokedAt: Date?

    package init(id: String, role: Role, name: String, createdAt: Date, expiresAt: Date?, revokedAt: Date?) {
        self.id = id
        self.role = role
        self.name = name
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    package var json: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id), "role": .string(role.rawValue), "name": .string(name), "createdAt": .timestamp(createdAt),
        ]
        if let expiresAt { fields["expiresAt"] = .timestamp(expiresAt) }
        if let revokedAt { fields["revokedAt"] = .timestamp(revokedAt) }
        return .object(fields)
    }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "a token")
        self.init(
            id: try object.string("id"), role: try object.enumeration("role"), name: try object.string("name"),
            createdAt: try object.timestamp("createdAt"), expiresAt: try object.optionalTimestamp("expiresAt"),
            revokedAt: try object.optionalTimestamp("revokedAt")
        )
    }
}

/// `GET /v1/tokens`.
package struct TokenList: WireModel, Equatable {
    package let tokens: [TokenSummary]

    package init(_ tokens: [TokenSummary]) { self.tokens = tokens }

    package var json: JSONValue { ["tokens": .array(tokens.map(\.json))] }

    package init(json: JSONValue) throws {
        self.init(try WireObject(json, "the answer").models("tokens"))
    }
}

/// `DELETE /v1/tokens/{id}`.
package struct TokenRevocation: WireModel, Equatable {
    package let id: String

    package init(id: String) { self.id = id }

    package var json: JSONValue { ["id": .string(id), "revoked": true] }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "the answer")
        guard try object.bool("revoked") else { throw FormatError(.answerMalformed, "the answer does not say the token is revoked") }
        self.init(id: try object.string("id"))
    }
}
