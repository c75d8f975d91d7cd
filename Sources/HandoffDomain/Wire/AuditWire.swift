import VaultCrypto

/// `GET /v1/audit/checkpoint`: the signed checkpoint note of the current tree.
public struct CheckpointInfo: WireModel, Equatable {
    /// The C2SP signed note; verify it before trusting `treeSize` or `rootHash`.
    public let note: String
    public let treeSize: Int64
    public let rootHash: [UInt8]

    public init(note: String, treeSize: Int64, rootHash: [UInt8]) {
        self.note = note
        self.treeSize = treeSize
        self.rootHash = rootHash
    }

    public var json: JSONValue {
        ["checkpoint": .string(note), "treeSize": .integer(treeSize), "rootHash": .string(Base64.encode(rootHash))]
    }

    public init(json: JSONValue) throws {
        let object = try WireObject(json, "the checkpoint")
        self.init(note: try object.string("checkpoint"), treeSize: try object.integer("treeSize"), rootHash: try object.base64("rootHash"))
    }
}

/// One audit event with its index in the log: its canonical JSON bytes, as hashed into the tree.
public struct IndexedAuditEvent: WireModel, Equatable {
    public let index: Int64
    public let bytes: [UInt8]

    public init(index: Int64, bytes: [UInt8]) {
        self.index = index
        self.bytes = bytes
    }

    public var json: JSONValue { ["index": .integer(index), "event": .string(String(decoding: bytes, as: UTF8.self))] }

    public init(json: JSONValue) throws {
        let object = try WireObject(json, "an event")
        self.init(index: try object.integer("index"), bytes: Array(try object.string("event").utf8))
    }
}

/// `GET /v1/audit/events?after=N&limit=M`: a page of events and the tree's size.
public struct AuditEventPage: WireModel, Equatable {
    public let treeSize: Int64
    public let events: [IndexedAuditEvent]

    public init(treeSize: Int64, events: [IndexedAuditEvent]) {
        self.treeSize = treeSize
        self.events = events
    }

    public var json: JSONValue { ["treeSize": .integer(treeSize), "events": .array(events.map(\.json))] }

    public init(json: JSONValue) throws {
        let object = try WireObject(json, "the answer")
        self.init(treeSize: try object.integer("treeSize"), events: try object.models("events"))
    }
}

/// `GET /v1/audit/proof/inclusion?index=N&size=S`: an event and its RFC 9162 audit path.
public struct InclusionProof: WireModel, Equatable {
    public let event: IndexedAuditEvent
    public let treeSize: Int64
    public let proof: [[UInt8]]

    public init(event: IndexedAuditEvent, treeSize: Int64, proof: [[UInt8]]) {
        self.event = event
        self.treeSize = treeSize
        self.proof = proof
    }

    public var json: JSONValue {
        [
            "index": .integer(event.index), "treeSize": .integer(treeSize), "event": .string(String(decoding: event.bytes, as: UTF8.self)),
            "proof": .array(proof.map { .string(Base64.encode($0)) }),
        ]
    }

    public init(json: JSONValue) throws {
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
public struct ConsistencyProof: WireModel, Equatable {
    public let from: Int64
    public let to: Int64
    public let proof: [[UInt8]]

    public init(from: Int64, to: Int64, proof: [[UInt8]]) {
        self.from = from
        self.to = to
        self.proof = proof
    }

    public var json: JSONValue {
        ["from": .integer(from), "to": .integer(to), "proof": .array(proof.map { .string(Base64.encode($0)) })]
    }

    public init(json: JSONValue) throws {
        let object = try WireObject(json, "the proof")
        self.init(from: try object.integer("from"), to: try object.integer("to"), proof: try InclusionProof.hashes(object))
    }
}
