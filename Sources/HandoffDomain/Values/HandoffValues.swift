import VaultCrypto

/// The Step 6 values a customer admin hands to Altoura, validated and normalised.
///
/// A value of this type has passed every rule of DOMAIN-RULES.md; build one with
/// `HandoffValues.validate(_:rules:)`. GUIDs are lowercase, the scope is the bare name, the
/// endpoint ends with `/`. The connection string is a live credential: it is kept in guarded
/// memory and left out of `description`.
package struct HandoffValues: Sendable {
    package let clientId: String
    package let tenantId: String
    package let redirectUris: [String]
    package let applicationIdUri: String
    /// Always `access_as_user`.
    package let scope: String
    /// The ACS connection string, UTF-8 in guarded memory.
    package let acsConnectionString: SecretBytes
    /// `https://<host>/`, host lowercased.
    package let acsEndpoint: String
    package let teamsAppObjectId: String?

    /// The only scope this app exposes.
    package static let scopeName = "access_as_user"

    init(
        clientId: String, tenantId: String, redirectUris: [String], applicationIdUri: String,
        acsConnectionString: SecretBytes, acsEndpoint: String, teamsAppObjectId: String?
    ) {
        self.clientId = clientId
        self.tenantId = tenantId
        self.redirectUris = redirectUris
        self.applicationIdUri = applicationIdUri
        self.scope = Self.scopeName
        self.acsConnectionString = acsConnectionString
        self.acsEndpoint = acsEndpoint
        self.teamsAppObjectId = teamsAppObjectId
    }

    /// The normalised values as JSON, connection string included: what gets sealed.
    ///
    /// The result holds the credential in an ordinary string; use it only to encode the payload.
    package var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            ValueField.clientId.rawValue: .string(clientId),
            ValueField.tenantId.rawValue: .string(tenantId),
            ValueField.redirectUris.rawValue: .array(redirectUris.map(JSONValue.string)),
            ValueField.applicationIdUri.rawValue: .string(applicationIdUri),
            ValueField.scope.rawValue: .string(scope),
            ValueField.acsConnectionString.rawValue: .string(
                acsConnectionString.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            ),
            ValueField.acsEndpoint.rawValue: .string(acsEndpoint),
        ]
        if let teamsAppObjectId { members[ValueField.teamsAppObjectId.rawValue] = .string(teamsAppObjectId) }
        return .object(members)
    }
}

extension HandoffValues: Equatable {
    /// Field-wise equality; the connection strings are compared in constant time.
    package static func == (lhs: HandoffValues, rhs: HandoffValues) -> Bool {
        lhs.clientId == rhs.clientId && lhs.tenantId == rhs.tenantId && lhs.redirectUris == rhs.redirectUris
            && lhs.applicationIdUri == rhs.applicationIdUri && lhs.scope == rhs.scope
            && lhs.acsEndpoint == rhs.acsEndpoint && lhs.teamsAppObjectId == rhs.teamsAppObjectId
            && lhs.acsConnectionString == rhs.acsConnectionString
    }
}

extension HandoffValues: CustomStringConvertible {
    /// Every field but the connection string.
    package var description: String {
        "HandoffValues(clientId: \(clientId), tenantId: \(tenantId), acsEndpoint: \(acsEndpoint), acsConnectionString: redacted)"
    }
}
