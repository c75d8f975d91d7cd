import VaultCrypto

/// What the customer seals after Step 10: the Teams app's Object ID alone, bound to the handoff —
/// the canonical JSON `{"v":1,"kind":"teams-app-object-id","handoffId":…,"sealedAt":…,"teamsAppObjectId":…}`
/// inside `crypto_box_seal`, to the same generator key as the values. The generator merges it
/// with the values it opened from the latest full submission (`handoff pull`), so the customer
/// never sends the connection string again just to add one GUID.
///
/// To the vault it is a submission like any other: it cannot tell the two apart.
package struct ObjectIdPayload: Sendable, Equatable {
    /// The payload's `kind` (a values payload has none).
    package static let kind = "teams-app-object-id"
    package static let version: Int64 = 1

    /// The handoff the Object ID is meant for.
    package let handoffId: String
    /// When the customer sealed it, RFC 3339 in UTC.
    package let sealedAt: String
    /// The Teams app's Object ID from Teams Admin Center (Step 10), lower case.
    package let teamsAppObjectId: String

    /// Creates a payload; refuses an Object ID that is not a GUID, with the values' own words.
    package init(handoffId: String, sealedAt: String, teamsAppObjectId: String) throws(ValuesInvalid) {
        let trimmed = HandoffValues.trimmed(teamsAppObjectId)
        guard HandoffValues.isGUID(trimmed) else {
            let field = ValueField.teamsAppObjectId
            let message = trimmed.isEmpty ? "is empty: copy it from Teams Admin Center first" : GUID.problem(trimmed)
            throw ValuesInvalid(problems: [ValidationProblem(field: field.rawValue, message: message, hint: field.hint(.standard))])
        }
        self.handoffId = handoffId
        self.sealedAt = sealedAt
        self.teamsAppObjectId = trimmed.lowercased()
    }

    /// The canonical payload bytes.
    package var canonicalBytes: [UInt8] {
        CanonicalJSON.encode([
            "v": .integer(Self.version), "kind": .string(Self.kind), "handoffId": .string(handoffId),
            "sealedAt": .string(sealedAt), "teamsAppObjectId": .string(teamsAppObjectId),
        ])
    }

    /// Seals the payload to the generator's public key.
    package func seal(to recipient: SealingPublicKey) throws(FormatError) -> [UInt8] {
        let bytes = try FormatError.crypto { () throws(CryptoError) in try SecretBytes(copying: canonicalBytes) }
        return try FormatError.crypto { () throws(CryptoError) in try SealedBox.seal(bytes, to: recipient) }
    }

    /// The Step 10 payload in `members`, bound to `expectedHandoffId`.
    init(members: [String: JSONValue], expectedHandoffId: String) throws(FormatError) {
        guard members["v"]?.integerValue == Self.version,
              Set(members.keys) == ["v", "kind", "handoffId", "sealedAt", "teamsAppObjectId"],
              let handoffId = members["handoffId"]?.stringValue,
              let sealedAt = members["sealedAt"]?.stringValue,
              let objectId = members["teamsAppObjectId"]?.stringValue
        else {
            throw FormatError(.payloadMalformed, "the opened payload is not a canonical v1 Step 10 payload")
        }
        try SealedPayload.checkBinding(handoffId, expected: expectedHandoffId)
        do {
            try self.init(handoffId: handoffId, sealedAt: sealedAt, teamsAppObjectId: objectId)
        } catch {
            throw FormatError(.payloadValuesInvalid, "the sealed Step 10 payload's teamsAppObjectId is not a GUID")
        }
        guard teamsAppObjectId == objectId else {
            throw FormatError(.payloadMalformed, "the sealed Step 10 payload's teamsAppObjectId is not in canonical form")
        }
    }
}

/// What a sealed box holds once opened: Step 6 values, or after Step 10 the Object ID alone.
package enum OpenedPayload: Sendable {
    case values(SealedPayload)
    case objectId(ObjectIdPayload)

    /// Opens a sealed box of either kind (told apart by `kind` inside), bound to `expectedHandoffId`.
    package static func open(
        _ sealed: [UInt8], with keyPair: SealingKeyPair, expectedHandoffId: String, rules: ValueRules = .standard
    ) throws(FormatError) -> OpenedPayload {
        let members = try SealedPayload.openCanonical(sealed, with: keyPair)
        switch members["kind"] {
        case nil: return .values(try SealedPayload(members: members, expectedHandoffId: expectedHandoffId, rules: rules))
        case .string(ObjectIdPayload.kind)?: return .objectId(try ObjectIdPayload(members: members, expectedHandoffId: expectedHandoffId))
        default: throw FormatError(.payloadMalformed, "the opened payload is of a kind this version does not know")
        }
    }
}

extension HandoffValues {
    /// These values completed with the Step 10 Object ID (`handoff pull` merges a Step 10 payload
    /// into the values it opened from the latest full submission).
    package func adding(_ step10: ObjectIdPayload) -> HandoffValues {
        HandoffValues(
            clientId: clientId, tenantId: tenantId, redirectUris: redirectUris, applicationIdUri: applicationIdUri,
            acsConnectionString: acsConnectionString, acsEndpoint: acsEndpoint, teamsAppObjectId: step10.teamsAppObjectId
        )
    }
}
