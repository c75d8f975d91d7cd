import VaultCrypto

/// `PUT /v1/handoffs/{id}/package`: the vault's acknowledgement of a delivered package.
public struct PackageDelivery: WireModel, Equatable {
    public let handoffId: String
    public let state: HandoffState
    /// SHA-256 of the zip as stored.
    public let sha256: [UInt8]
    public let size: Int64

    public init(handoffId: String, state: HandoffState = .delivered, sha256: [UInt8], size: Int64) {
        self.handoffId = handoffId
        self.state = state
        self.sha256 = sha256
        self.size = size
    }

    public var json: JSONValue {
        ["handoffId": .string(handoffId), "state": .string(state.rawValue), "sha256": .string(Base64.encode(sha256)), "size": .integer(size)]
    }

    public init(json: JSONValue) throws {
        let object = try WireObject(json, "the answer")
        self.init(handoffId: try object.uuid("handoffId"), state: try object.enumeration("state"), sha256: try object.base64("sha256"), size: try object.integer("size"))
    }
}

/// `GET /v1/handoffs/{id}/package`: the zip and the generator's signature note, unverified
/// (the customer verifies them against the key the invite pins, never one the server names).
public struct DeliveredPackage: WireModel, Equatable {
    public let handoffId: String
    public let zip: [UInt8]
    /// The `PackageSignature` note.
    public let signature: String

    public init(handoffId: String, zip: [UInt8], signature: String) {
        self.handoffId = handoffId
        self.zip = zip
        self.signature = signature
    }

    public var json: JSONValue {
        ["handoffId": .string(handoffId), "package": .string(Base64.encode(zip)), "signature": .string(signature)]
    }

    public init(json: JSONValue) throws {
        let object = try WireObject(json, "the package")
        self.init(handoffId: try object.uuid("handoffId"), zip: try object.base64("package"), signature: try object.string("signature"))
    }
}
