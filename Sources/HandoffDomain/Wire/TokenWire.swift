import Foundation

/// `POST /v1/tokens` (201): a role token, shown this once; the server keeps only its keyed hash.
public struct IssuedToken: WireModel, Equatable {
    public let id: String
    public let role: Role
    public let token: BearerToken
    public let expiresAt: Date?

    public init(id: String, role: Role, token: BearerToken, expiresAt: Date?) {
        self.id = id
        self.role = role
        self.token = token
        self.expiresAt = expiresAt
    }

    public var json: JSONValue {
        var fields: [String: JSONValue] = ["id": .string(id), "role": .string(role.rawValue), "token": .string(token.withText { $0 })]
        if let expiresAt { fields["expiresAt"] = .timestamp(expiresAt) }
        return .object(fields)
    }

    public init(json: JSONValue) throws {
        let object = try WireObject(json, "the answer")
        self.init(
            id: try object.string("id"), role: try object.enumeration("role"), token: BearerToken(text: try object.string("token")),
            expiresAt: try object.optionalTimestamp("expiresAt")
        )
    }
}

/// A role token as `GET /v1/tokens` lists it: never the token itself.
public struct TokenSummary: WireModel, Equatable {
    public let id: String
    public let role: Role
    public let name: String
    public let createdAt: Date
    public let expiresAt: Date?
    public let revokedAt: Date?

    public init(id: String, role: Role, name: String, createdAt: Date, expiresAt: Date?, revokedAt: Date?) {
        self.id = id
        self.role = role
        self.name = name
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id), "role": .string(role.rawValue), "name": .string(name), "createdAt": .timestamp(createdAt),
        ]
        if let expiresAt { fields["expiresAt"] = .timestamp(expiresAt) }
        if let revokedAt { fields["revokedAt"] = .timestamp(revokedAt) }
        return .object(fields)
    }

    public init(json: JSONValue) throws {
        let object = try WireObject(json, "a token")
        self.init(
            id: try object.string("id"), role: try object.enumeration("role"), name: try object.string("name"),
            createdAt: try object.timestamp("createdAt"), expiresAt: try object.optionalTimestamp("expiresAt"),
            revokedAt: try object.optionalTimestamp("revokedAt")
        )
    }
}

/// `GET /v1/tokens`.
public struct TokenList: WireModel, Equatable {
    public let tokens: [TokenSummary]

    public init(_ tokens: [TokenSummary]) { self.tokens = tokens }

    public var json: JSONValue { ["tokens": .array(tokens.map(\.json))] }

    public init(json: JSONValue) throws {
        self.init(try WireObject(json, "the answer").models("tokens"))
    }
}

/// `DELETE /v1/tokens/{id}`.
public struct TokenRevocation: WireModel, Equatable {
    public let id: String

    public init(id: String) { self.id = id }

    public var json: JSONValue { ["id": .string(id), "revoked": true] }

    public init(json: JSONValue) throws {
        let object = try WireObject(json, "the answer")
        guard try object.bool("revoked") else { throw FormatError(.answerMalformed, "the answer does not say the token is revoked") }
        self.init(id: try object.string("id"))
    }
}
