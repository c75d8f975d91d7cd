import VaultCrypto

/// `PUT /v1/handoffs/{id}/package`: the vault's acknowledgement of a delivered package.
package struct PackageDelivery: WireModel, Equatable {
    package let handoffId: String
    package let state: HandoffState
    /// SHA-256 of the zip as stored.
    package let sha256: [UInt8]
    package let size: Int64

    package init(handoffId: String, state: HandoffState = .delivered, sha256: [UInt8], size: Int64) {
        self.handoffId = handoffId
        self.state = state
        self.sha256 = sha256
        self.size = size
    }

    package var json: JSONValue {
        ["handoffId": .string(handoffId), "state": .string(state.rawValue), "sha256": .string(Base64.encode(sha256)), "size": .integer(size)]
    }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "the answer")
        self.init(handoffId: try object.uuid("handoffId"), state: try object.enumeration("state"), sha256: try object.base64("sha256"), size: try object.integer("size"))
    }
}

/// `GET /v1/handoffs/{id}/package`: the zip and the generator's signature note, unverified
/// (the customer verifies them against the key the invite pins, never one the server names).
package struct DeliveredPackage: WireModel, Equatable {
    package let handoffId: String
    package let zip: [UInt8]
    /// The `PackageSignature` note.
    package let signature: String

    package init(handoffId: String, zip: [UInt8], signature: String) {
        self.handoffId = handoffId
        self.zip = zip
        self.signature = signature
    }

    package var json: JSONValue {
        ["handoffId": .string(handoffId), "package": .string(Base64.encode(zip)), "signature": .string(signature)]
    }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "the package")
        self.init(handoffId: try object.uuid("handoffId"), zip: try object.base64("package"), signature: try object.string("signature"))
    }
}
