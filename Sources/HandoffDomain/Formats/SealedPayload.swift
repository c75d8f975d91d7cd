import VaultCrypto

/// What the customer's machine seals to the generator: the canonical JSON
/// `{"v":1,"handoffId":…,"sealedAt":…,"values":{…}}` inside `crypto_box_seal`.
///
/// Naming the handoff inside the box is what lets the generator notice a box that a compromised
/// server moved to another handoff.
package struct SealedPayload: Sendable {
    /// The only format version.
    package static let version: Int64 = 1

    /// The handoff the values are meant for.
    package let handoffId: String
    /// When the customer sealed them, RFC 3339 in UTC.
    package let sealedAt: String
    /// The validated, normalised values.
    package let values: HandoffValues

    /// Creates a payload.
    package init(handoffId: String, sealedAt: String, values: HandoffValues) {
        self.handoffId = handoffId
        self.sealedAt = sealedAt
        self.values = values
    }

    /// The canonical payload bytes, in guarded memory.
    package func canonicalBytes() throws(FormatError) -> SecretBytes {
        var bytes = CanonicalJSON.encode(.object([
            "v": .integer(Self.version),
            "handoffId": .string(handoffId),
            "sealedAt": .string(sealedAt),
            "values": values.jsonValue,
        ]))
        defer { SecretBytes.wipe(&bytes) }
        return try FormatError.crypto { () throws(CryptoError) in try SecretBytes(copying: bytes) }
    }

    /// Seals the payload to the generator's public key.
    package func seal(to recipient: SealingPublicKey) throws(FormatError) -> [UInt8] {
        let bytes = try canonicalBytes()
        return try FormatError.crypto { () throws(CryptoError) in try SealedBox.seal(bytes, to: recipient) }
    }

    /// Opens a sealed box and checks everything the generator relies on: canonical v1 bytes,
    /// the handoff named inside equal to `expectedHandoffId`, and values that pass the rules.
    package static func open(
        _ sealed: [UInt8],
        with keyPair: SealingKeyPair,
        expectedHandoffId: String,
        rules: ValueRules = .standard
    ) throws(FormatError) -> SealedPayload {
        let opened: SecretBytes
        do {
            opened = try SealedBox.open(sealed, with: keyPair)
        } catch {
            throw FormatError(.payloadUnopenable, "the sealed box does not open with this generator key")
        }
        var bytes = opened.withUnsafeBytes { Array($0) }
        defer { SecretBytes.wipe(&bytes) }
        guard let json = try? JSONParser.parse(bytes), CanonicalJSON.encode(json) == bytes,
              let members = json.objectValue, Set(members.keys) == ["v", "handoffId", "sealedAt", "values"],
              members["v"]?.integerValue == version,
              let handoffId = members["handoffId"]?.stringValue,
              let sealedAt = members["sealedAt"]?.stringValue,
              let valuesJSON = members["values"]
        else {
            throw FormatError(.payloadMalformed, "the opened payload is not a canonical v1 sealed payload")
        }
        guard handoffId == expectedHandoffId else {
            throw FormatError(
                .payloadHandoffMismatch,
                "the sealed payload names handoff \(handoffId), but it was fetched for \(expectedHandoffId)"
            )
        }
        do {
            let values = try HandoffValues.validate(valuesJSON, rules: rules)
            return SealedPayload(handoffId: handoffId, sealedAt: sealedAt, values: values)
        } catch {
            let fields = Set(error.problems.map { $0.field }).sorted().joined(separator: ", ")
            throw FormatError(.payloadValuesInvalid, "the sealed values break the rules (fields: \(fields))")
        }
    }
}
