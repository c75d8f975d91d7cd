import HandoffDomain
import Hummingbird
import NIOCore

extension Request {
    /// The body as a strict JSON object (no duplicate keys, integers only), at most `limit` bytes
    /// (`VaultAPI.maximumBodySize` unless a route allows more); only `allowed` keys, with every key
    /// in `required`.
    mutating func jsonObject(required: Set<String>, allowed: Set<String>, limit: Int = VaultAPI.maximumBodySize) async throws -> [String: JSONValue] {
        if let type = headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIProblem(.unsupportedMediaType, code: "http.unsupported_media_type", title: "Unsupported media type", detail: "send application/json")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: limit)
        } catch let error as NIOTooManyBytesError {
            throw error
        } catch let error as HTTPError {
            throw error
        } catch {
            // The stream broke: the body deadline closed the connection, or the client went away.
            throw APIProblem.bodyIncomplete
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(Array(buffer: buffer))
        } catch {
            throw APIProblem.badRequest("request.malformed_json", "the body is not valid JSON: \(error)")
        }
        guard let members = json.objectValue else {
            throw APIProblem.badRequest("request.not_an_object", "the body must be a JSON object")
        }
        let keys = Set(members.keys)
        if let unknown = keys.subtracting(allowed).sorted().first {
            throw APIProblem.badRequest("request.unknown_field", "unknown field \(unknown.prefix(64))")
        }
        if let missing = required.subtracting(keys).sorted().first {
            throw APIProblem.badRequest("request.missing_field", "missing field \(missing)")
        }
        return members
    }
}

extension [String: JSONValue] {
    /// A string member of at most `maxLength` characters (code points, as JSON Schema counts),
    /// or a 400 naming the field.
    func string(_ key: String, maxLength: Int = 1024) throws -> String {
        guard let value = self[key]?.stringValue, value.unicodeScalars.count <= maxLength else {
            throw APIProblem.badRequest("request.invalid_field", "\(key) must be a string of at most \(maxLength) characters")
        }
        return value
    }
}

extension Response {
    /// A JSON response in canonical form.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        json(encoded: ByteBuffer(bytes: CanonicalJSON.encode(value)), status: status)
    }

    /// A JSON response whose canonical bytes are already encoded.
    static func json(encoded body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    /// An API shape as its JSON (`WireModel`, defined once in the domain).
    static func json(_ model: some WireModel, status: HTTPResponse.Status = .ok) -> Response {
        json(model.json, status: status)
    }
}
