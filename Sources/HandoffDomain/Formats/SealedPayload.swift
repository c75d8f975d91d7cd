import VaultCrypto

/// What the customer's machine seals to the generator: the canonical JSON
/// `{"v":1,"handoffId":…,"sealedAt":…,"values":{…}}` inside `crypto_box_seal`; version 2 adds
/// `"tenantProof"` (the admin's Microsoft sign-in, `TenantProof`). Version 1 still opens.
///
/// Naming the handoff inside the box is what lets the generator notice a box that a compromised
/// server moved to another handoff.
package struct SealedPayload: Sendable {
    /// The version without a tenant proof, and the version with one.
    package static let version: Int64 = 1
    package static let versionWithProof: Int64 = 2

    /// The handoff the values are meant for.
    package let handoffId: String
    /// When the customer sealed them, RFC 3339 in UTC.
    package let sealedAt: String
    /// The validated, normalised values.
    package let values: HandoffValues
    /// The admin's sign-in, when there was one (version 2).
    package let tenantProof: TenantProof?

    /// Creates a payload.
    package init(handoffId: String, sealedAt: String, values: HandoffValues, tenantProof: TenantProof? = nil) {
        self.handoffId = handoffId
        self.sealedAt = sealedAt
        self.values = values
        self.tenantProof = tenantProof
    }

    /// The canonical payload bytes, in guarded memory.
    package func canonicalBytes() throws(FormatError) -> SecretBytes {
        var members: [String: JSONValue] = [
            "v": .integer(tenantProof == nil ? Self.version : Self.versionWithProof),
            "handoffId": .string(handoffId),
            "sealedAt": .string(sealedAt),
            "values": values.jsonValue,
        ]
        if let tenantProof { members["tenantProof"] = tenantProof.jsonValue }
        var bytes = CanonicalJSON.encode(.object(members))
        defer { SecretBytes.wipe(&bytes) }
        return try FormatError.crypto { () throws(CryptoError) in try SecretBytes(copying: bytes) }
    }

    /// Seals the payload to the generator's public key.
    package func seal(to recipient: SealingPublicKey) throws(FormatError) -> [UInt8] {
        let bytes = try canonicalBytes()
        return try FormatError.crypto { () throws(CryptoError) in try SealedBox.seal(bytes, to: recipient) }
    }

    /// Opens a sealed box and checks everything the generator relies on: canonical v1 or v2
    /// values bytes, the handoff named inside equal to `expectedHandoffId`, and values that pass
    /// the rules. A Step 10 box (`ObjectIdPayload`) is refused here: `OpenedPayload.open` takes both.
    package static func open(
        _ sealed: [UInt8],
        with keyPair: SealingKeyPair,
        expectedHandoffId: String,
        rules: ValueRules = .standard
    ) throws(FormatError) -> SealedPayload {
        try SealedPayload(members: openCanonical(sealed, with: keyPair), expectedHandoffId: expectedHandoffId, rules: rules)
    }

    /// The members of the canonical JSON object inside a sealed box; the opened bytes are wiped.
    static func openCanonical(_ sealed: [UInt8], with keyPair: SealingKeyPair) throws(FormatError) -> [String: JSONValue] {
        let opened: SecretBytes
        do {
            opened = try SealedBox.open(sealed, with: keyPair)
        } catch {
            throw FormatError(.payloadUnopenable, "the sealed box does not open with this generator key")
        }
        var bytes = opened.withUnsafeBytes { Array($0) }
        defer { SecretBytes.wipe(&bytes) }
        guard let json = try? JSONParser.parse(bytes), CanonicalJSON.encode(json) == bytes, let members = json.objectValue else {
            throw FormatError(.payloadMalformed, "the opened payload is not canonical JSON")
        }
        return members
    }

    /// Refuses a box that names another handoff than the one it was fetched for.
    static func checkBinding(_ handoffId: String, expected: String) throws(FormatError) {
        guard handoffId == expected else {
            throw FormatError(.payloadHandoffMismatch, "the sealed payload names handoff \(handoffId), but it was fetched for \(expected)")
        }
    }

    /// The values payload in `members`, bound to `expectedHandoffId`, its values checked.
    init(members: [String: JSONValue], expectedHandoffId: String, rules: ValueRules) throws(FormatError) {
        guard let version = members["v"]?.integerValue,
              (version == Self.version && Set(members.keys) == ["v", "handoffId", "sealedAt", "values"])
                || (version == Self.versionWithProof && Set(members.keys) == ["v", "handoffId", "sealedAt", "values", "tenantProof"]),
              let handoffId = members["handoffId"]?.stringValue,
              let sealedAt = members["sealedAt"]?.stringValue,
              let valuesJSON = members["values"]
        else {
            throw FormatError(.payloadMalformed, "the opened payload is not a canonical v1 or v2 sealed payload")
        }
        var proof: TenantProof?
        if let json = members["tenantProof"] { proof = try TenantProof(json: json) }
        try Self.checkBinding(handoffId, expected: expectedHandoffId)
        do {
            let values = try HandoffValues.validate(valuesJSON, rules: rules)
            self.init(handoffId: handoffId, sealedAt: sealedAt, values: values, tenantProof: proof)
        } catch {
            let fields = Set(error.problems.map { $0.field }).sorted().joined(separator: ", ")
            throw FormatError(.payloadValuesInvalid, "the sealed values break the rules (fields: \(fields))")
        }
    }
}
