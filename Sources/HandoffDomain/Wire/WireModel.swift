import Foundation
import VaultCrypto

/// One shape of the HTTP API (DESIGN.md, "HTTP API"), defined once: the server encodes it with
/// `json`, the CLI (and the web page) decode it with `init(json:)`. Decoding treats the answer as
/// untrusted: a missing field, a wrong type, an id that is not a lowercase UUID or a state this
/// version does not know is a `FormatError(.answerMalformed)` naming the field.
package protocol WireModel: Sendable {
    /// The JSON object the API sends.
    var json: JSONValue { get }
    /// Reads the shape from a parsed answer.
    init(json: JSONValue) throws
}

/// The fields of one JSON object being decoded, with typed, throwing accessors that name the
/// field in their error.
package struct WireObject {
    private let fields: [String: JSONValue]
    private let what: String

    /// Opens `json` as the object `what` (a name used in errors: "a handoff", "the answer").
    package init(_ json: JSONValue, _ what: String) throws {
        guard let fields = json.objectValue else { throw FormatError(.answerMalformed, "\(what) is not a JSON object") }
        self.fields = fields
        self.what = what
    }

    func failure(_ name: String, _ expected: String) -> FormatError {
        FormatError(.answerMalformed, "\(what) has no \(name)" + (fields[name] == nil ? "" : " that is \(expected)"))
    }

    /// Whether the field is present (and not null).
    package func has(_ name: String) -> Bool { fields[name].map { $0 != .null } ?? false }

    package func string(_ name: String) throws -> String {
        guard let value = fields[name]?.stringValue else { throw failure(name, "a string") }
        return value
    }

    package func optionalString(_ name: String) throws -> String? {
        has(name) ? try string(name) : nil
    }

    package func integer(_ name: String) throws -> Int64 {
        guard let value = fields[name]?.integerValue else { throw failure(name, "an integer") }
        return value
    }

    package func bool(_ name: String) throws -> Bool {
        guard case .bool(let value)? = fields[name] else { throw failure(name, "true or false") }
        return value
    }

    package func optionalBool(_ name: String) throws -> Bool? {
        has(name) ? try bool(name) : nil
    }

    /// A handoff or submission id: a lowercase UUID (it becomes a file name on the CLI's side).
    package func uuid(_ name: String) throws -> String {
        let value = try string(name)
        guard HandoffValues.isHandoffId(value) else { throw failure(name, "a lowercase UUID") }
        return value
    }

    package func timestamp(_ name: String) throws -> Date {
        guard let value = Timestamp.date(try string(name)) else { throw failure(name, "an RFC 3339 UTC timestamp") }
        return value
    }

    package func optionalTimestamp(_ name: String) throws -> Date? {
        has(name) ? try timestamp(name) : nil
    }

    package func base64(_ name: String) throws -> [UInt8] {
        guard let value = try? Base64.decode(try string(name)) else { throw failure(name, "base64") }
        return value
    }

    package func enumeration<Value: RawRepresentable>(_ name: String, _ type: Value.Type = Value.self) throws -> Value where Value.RawValue == String {
        guard let value = Value(rawValue: try string(name)) else { throw failure(name, "one this version knows") }
        return value
    }

    /// A nested object's members.
    package func object(_ name: String) throws -> [String: JSONValue] {
        guard let value = fields[name]?.objectValue else { throw failure(name, "an object") }
        return value
    }

    package func array(_ name: String) throws -> [JSONValue] {
        guard let value = fields[name]?.arrayValue else { throw failure(name, "a list") }
        return value
    }

    /// A list of strings.
    package func strings(_ name: String) throws -> [String] {
        try array(name).map { item in
            guard let text = item.stringValue else { throw failure(name, "a list of strings") }
            return text
        }
    }

    /// A list of objects, each decoded as `Model`.
    package func models<Model: WireModel>(_ name: String, _ type: Model.Type = Model.self) throws -> [Model] {
        try array(name).map(Model.init(json:))
    }
}

extension JSONValue {
    /// A timestamp as the API writes it.
    package static func timestamp(_ date: Date) -> JSONValue { .string(Timestamp.string(date)) }
}
