import VaultCrypto

/// `GET /v1/audit/checkpoint`: the signed checkpoint note of the current tree.
package struct CheckpointInfo: WireModel, Equatable {
    /// The C2SP signed note; verify it before trusting `treeSize` or `rootHash`.
    /// The C2SP signed note: the log's signature, then the witnesses' cosignatures (if any).
    package let note: String
    package let treeSize: Int64
    package let rootHash: [UInt8]
    /// Each configured witness: the largest tree it cosigned, and why it did not cosign this one.
    package let witnesses: [Witness]

    /// What the vault knows of one witness.
    package struct Witness: Sendable, Equatable {
        package let name: String
        /// The largest tree it has cosigned.
        package var cosignedSize: Int64?
        /// Why it did not cosign the newest checkpoint, if it did not.
        package var problem: String?

        package init(name: String, cosignedSize: Int64?, problem: String?) {
            self.name = name
            self.cosignedSize = cosignedSize
            self.problem = problem
        }
    }

    package init(note: String, treeSize: Int64, rootHash: [UInt8], witnesses: [Witness] = []) {
        self.note = note
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.witnesses = witnesses
    }

    package var json: JSONValue {
        var members: [String: JSONValue] = ["checkpoint": .string(note), "treeSize": .integer(treeSize), "rootHash": .string(Base64.encode(rootHash))]
        if !witnesses.isEmpty {
            members["witnesses"] = .array(witnesses.map { witness in
                var entry: [String: JSONValue] = ["name": .string(witness.name)]
                if let size = witness.cosignedSize { entry["cosignedSize"] = .integer(size) }
                if let problem = witness.problem { entry["problem"] = .string(problem) }
                return .object(entry)
            })
        }
        return .object(members)
    }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "the checkpoint")
        var witnesses: [Witness] = []
        for entry in json.objectValue?["witnesses"]?.arrayValue ?? [] {
            let witness = try WireObject(entry, "a witness")
            witnesses.append(Witness(name: try witness.string("name"), cosignedSize: witness.has("cosignedSize") ? try witness.integer("cosignedSize") : nil,
                                     problem: try witness.optionalString("problem")))
        }
        self.init(
            note: try object.string("checkpoint"), treeSize: try object.integer("treeSize"), rootHash: try object.base64("rootHash"), witnesses: witnesses
        )
    }
}

/// One audit event with its index in the log: its canonical JSON bytes, as hashed into the tree.
package struct IndexedAuditEvent: WireModel, Equatable {
    package let index: Int64
    package let bytes: [UInt8]

    package init(index: Int64, bytes: [UInt8]) {
        self.index = index
        self.bytes = bytes
    }

    package var json: JSONValue { ["index": .integer(index), "event": .string(String(decoding: bytes, as: UTF8.self))] }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "an event")
        self.init(index: try object.integer("index"), bytes: Array(try object.string("event").utf8))
    }
}

/// `GET /v1/audit/events?after=N&limit=M`: a page of events and the tree's size.
package struct AuditEventPage: WireModel, Equatable {
    package let treeSize: Int64
    package let events: [IndexedAuditEvent]

    package init(treeSize: Int64, events: [IndexedAuditEvent]) {
        self.treeSize = treeSize
        self.events = events
    }

    package var json: JSONValue { ["treeSize": .integer(treeSize), "events": .array(events.map(\.json))] }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "the answer")
        self.init(treeSize: try object.integer("treeSize"), events: try object.models("events"))
    }
}

/// `GET /v1/audit/proof/inclusion?index=N&size=S`: an event and its RFC 9162 audit path.
package struct InclusionProof: WireModel, Equatable {
    package let event: IndexedAuditEvent
    package let treeSize: Int64
    package let proof: [[UInt8]]

    package init(event: IndexedAuditEvent, treeSize: Int64, proof: [[UInt8]]) {
        self.event = event
        self.treeSize = treeSize
        self.proof = proof
    }

    package var json: JSONValue {
        [
            "index": .integer(event.index), "treeSize": .integer(treeSize), "event": .string(String(decoding: event.bytes, as: UTF8.self)),
            "proof": .array(proof.map { .string(Base64.encode($0)) }),
        ]
    }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "the proof")
        self.init(event: try IndexedAuditEvent(json: json), treeSize: try object.integer("treeSize"), proof: try Self.hashes(object))
    }

    static func hashes(_ object: WireObject) throws -> [[UInt8]] {
        try object.strings("proof").map { text in
            guard let hash = try? Base64.decode(text) else { throw FormatError(.answerMalformed, "the proof has a hash that is not base64") }
            return hash
        }
    }
}

/// `GET /v1/audit/proof/consistency?from=A&to=B`.
package struct ConsistencyProof: WireModel, Equatable {
    package let from: Int64
    package let to: Int64
    package let proof: [[UInt8]]

    package init(from: Int64, to: Int64, proof: [[UInt8]]) {
        self.from = from
        self.to = to
        self.proof = proof
    }

    package var json: JSONValue {
        ["from": .integer(from), "to": .integer(to), "proof": .array(proof.map { .string(Base64.encode($0)) })]
    }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "the proof")
        self.init(from: try object.integer("from"), to: try object.integer("to"), proof: try InclusionProof.hashes(object))
    }
}
