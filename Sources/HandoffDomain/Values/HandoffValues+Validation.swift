import VaultCrypto

extension HandoffValues {
    /// The largest values document accepted, far above any real one.
    package static let maximumDocumentSize = 256 * 1024

    /// Parses a values document and applies every rule; throws with all problems at once.
    package static func validate(document: [UInt8], rules: ValueRules = .standard) throws(ValuesInvalid) -> HandoffValues {
        guard document.count <= maximumDocumentSize else {
            throw ValuesInvalid(problems: [documentProblem("the document is larger than \(maximumDocumentSize / 1024) KiB")])
        }
        if let encoding = wideEncoding(document) {
            throw ValuesInvalid(problems: [ValidationProblem(
                field: "$", message: "the file is saved as \(encoding), not UTF-8", hint: "the file is saved as \(encoding); save it as UTF-8"
            )])
        }
        // Notepad starts UTF-8 files with a byte order mark; it carries nothing.
        let body = document.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(document.dropFirst(3)) : document
        let json: JSONValue
        do {
            json = try JSONParser.parse(body)
        } catch {
            if let comma = trailingComma(before: error.offset, in: body) {
                let (line, column) = lineAndColumn(of: comma, in: body)
                throw ValuesInvalid(problems: [ValidationProblem(
                    field: "$", message: "line \(line), column \(column): a comma after the last field",
                    hint: "line \(line), column \(column): remove the comma after the last field"
                )])
            }
            let (line, column) = lineAndColumn(of: error.offset, in: body)
            throw ValuesInvalid(problems: [documentProblem("line \(line), column \(column): the document is not valid JSON (\(error.message))")])
        }
        return try validate(json, rules: rules)
    }

    /// UTF-16 or UTF-32, told by a byte order mark or by the NUL bytes that ASCII text gets in them.
    static func wideEncoding(_ document: [UInt8]) -> String? {
        if document.starts(with: [0x00, 0x00, 0xFE, 0xFF]) || document.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return "UTF-32" }
        if document.starts(with: [0xFE, 0xFF]) || document.starts(with: [0xFF, 0xFE]) { return "UTF-16" }
        guard document.count >= 4 else { return nil }
        if document[0] == 0 && document[1] == 0 || document[2] == 0 && document[3] == 0 { return "UTF-32" }
        if document[0] == 0 || document[1] == 0 { return "UTF-16" }
        return nil
    }

    /// The offset of a comma that stands right before the `}` or `]` at `offset` (whitespace
    /// between), the mistake JSON editors see most.
    static func trailingComma(before offset: Int, in bytes: [UInt8]) -> Int? {
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "}") || bytes[offset] == UInt8(ascii: "]") else { return nil }
        var index = offset - 1
        while index >= 0, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index -= 1 }
        return index >= 0 && bytes[index] == UInt8(ascii: ",") ? index : nil
    }

    /// 1-based line and column (in characters) of a byte offset.
    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        let prefix = bytes.prefix(max(0, min(offset, bytes.count)))
        let line = prefix.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        let lineStart = prefix.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let column = String(decoding: prefix[lineStart...], as: UTF8.self).count + 1
        return (line, column)
    }

    /// Applies every rule to a parsed document; throws with all problems at once.
    package static func validate(_ document: JSONValue, rules: ValueRules = .standard) throws(ValuesInvalid) -> HandoffValues {
        guard let members = document.objectValue else {
            throw ValuesInvalid(problems: [documentProblem("the document is \(document.kindName), not a JSON object")])
        }
        var check = ValuesCheck(members: members, rules: rules)
        return try check.run()
    }

    static func documentProblem(_ message: String) -> ValidationProblem {
        let fields = ValueField.allCases.map { $0.rawValue }.joined(separator: ", ")
        return ValidationProblem(
            field: "$", message: message,
            hint: "values.json must be one JSON object with the fields \(fields)"
        )
    }
}

/// One pass over a document's members, collecting problems field by field.
private struct ValuesCheck {
    let members: [String: JSONValue]
    let rules: ValueRules
    var problems: [ValidationProblem] = []
    /// The client ID once it passed its rules, for hints that name the exact value to set.
    var knownClientId: String?

    init(members: [String: JSONValue], rules: ValueRules) {
        self.members = members
        self.rules = rules
    }

    mutating func run() throws(ValuesInvalid) -> HandoffValues {
        reportUnknownFields()
        var clientId = guid(.clientId)
        let tenantId = guid(.tenantId)
        // An app registration's client ID never equals its tenant ID: the tenant ID was pasted twice.
        if let client = clientId, client == tenantId {
            report(.clientId, "is the same as the Directory (tenant) ID, and these two are never the same",
                   hint: "copy Application (client) ID from App registration → Overview")
            clientId = nil
        }
        knownClientId = clientId
        let teamsAppObjectId = guid(.teamsAppObjectId)
        let redirectUris = redirectURIs()
        let applicationIdUri = applicationIdURI(clientId: clientId)
        checkScope(applicationIdUri: applicationIdUri)
        let connection = connectionString()
        let endpoint = acsEndpoint(connectionHost: connection?.host)

        guard problems.isEmpty, let clientId, let tenantId, let redirectUris, let applicationIdUri,
              let connection, let endpoint
        else { throw ValuesInvalid(problems: problems.sorted(by: Self.fieldOrder)) }
        guard let secret = try? SecretBytes(copying: Array(connection.text.utf8)) else {
            throw ValuesInvalid(problems: [report(.acsConnectionString, "could not be held in guarded memory")])
        }
        return HandoffValues(
            clientId: clientId, tenantId: tenantId, redirectUris: redirectUris,
            applicationIdUri: applicationIdUri, acsConnectionString: secret,
            acsEndpoint: endpoint, teamsAppObjectId: teamsAppObjectId
        )
    }

    private static func fieldOrder(_ a: ValidationProblem, _ b: ValidationProblem) -> Bool {
        func rank(_ p: ValidationProblem) -> Int {
            ValueField(rawValue: p.field).flatMap { ValueField.allCases.firstIndex(of: $0) } ?? -1
        }
        return rank(a) < rank(b)
    }

    @discardableResult
    private mutating func report(_ field: ValueField, _ message: String, hint: String? = nil) -> ValidationProblem {
        let problem = ValidationProblem(field: field.rawValue, message: message, hint: hint ?? field.hint(rules, clientId: knownClientId))
        problems.append(problem)
        return problem
    }

    private mutating func reportUnknownFields() {
        for name in members.keys.sorted() where ValueField(rawValue: name) == nil {
            let suggestion = ValueField.closest(to: name)
            let message = suggestion.map { "unknown field \(name) — did you mean \($0.rawValue)?" }
                ?? "unknown field \(name)"
            let hint = suggestion.map { "rename it to \($0.rawValue)" } ?? "remove it; the known fields are "
                + ValueField.allCases.map { $0.rawValue }.joined(separator: ", ")
            problems.append(ValidationProblem(field: name, message: message, hint: hint))
        }
    }

    /// The field's string, reporting a missing required field or a value of another type.
    private mutating func string(_ field: ValueField) -> String? {
        guard let value = members[field.rawValue] else {
            if field.isRequired { report(field, "is missing: it is required") }
            return nil
        }
        guard let text = value.stringValue else {
            report(field, "must be a string, not \(value.kindName)")
            return nil
        }
        return Self.trimmed(text)
    }

    static func trimmed(_ text: String) -> String { HandoffValues.trimmed(text) }

    private mutating func guid(_ field: ValueField) -> String? {
        guard let text = string(field) else { return nil }
        guard let normalized = GUID.normalized(text) else {
            report(field, GUID.problem(text))
            return nil
        }
        return normalized
    }

    private mutating func redirectURIs() -> [String]? {
        let field = ValueField.redirectUris
        guard let value = members[field.rawValue] else {
            report(field, "is missing: it is required")
            return nil
        }
        guard let elements = value.arrayValue else {
            report(field, "must be an array of URI strings, not \(value.kindName)")
            return nil
        }
        guard (1...RedirectURIRule.maximumCount).contains(elements.count) else {
            report(field, elements.isEmpty
                ? "lists no redirect URI; at least one is required"
                : "lists \(elements.count) redirect URIs; Entra allows at most \(RedirectURIRule.maximumCount)")
            return nil
        }
        var uris: [String] = []
        var seen: Set<String> = []
        let before = problems.count
        for (offset, element) in elements.enumerated() {
            guard let uri = element.stringValue.map(Self.trimmed) else {
                report(field, "redirect URI \(offset + 1) must be a string, not \(element.kindName)")
                continue
            }
            for message in RedirectURIRule.problems(uri, number: offset + 1) { report(field, message) }
            if !seen.insert(uri).inserted { report(field, "redirect URI \(offset + 1) is listed twice") }
            uris.append(uri)
        }
        return problems.count == before ? uris : nil
    }

    private mutating func applicationIdURI(clientId: String?) -> String? {
        let field = ValueField.applicationIdUri
        guard let text = string(field) else { return nil }
        let expectedPrefix = "api://\(rules.hostingDomain)/"
        guard text.lowercased().hasPrefix("api://") else {
            report(field, "must start with api:// (expected \(expectedPrefix)<your Application (client) ID>)")
            return nil
        }
        let remainder = text.dropFirst("api://".count)
        let host = remainder.prefix { $0 != "/" }
        let path = remainder.dropFirst(host.count + 1)
        guard host.lowercased() == rules.hostingDomain else {
            report(field, "has the host \(host), but it must be \(rules.hostingDomain)")
            return nil
        }
        guard host == rules.hostingDomain else {
            report(field, "has its host in capitals; it must be written \(rules.hostingDomain) in lowercase")
            return nil
        }
        guard !path.utf8.contains(UInt8(ascii: "/")) else {
            report(field, "must end with the client ID; nothing may follow it (no /access_as_user, no trailing slash)")
            return nil
        }
        if let clientId, path.lowercased() != clientId {
            report(field, "does not end with the client ID, so Teams sign-in will fail with \"can't find the resource\"")
            return nil
        }
        if clientId == nil, GUID.normalized(String(path)) == nil {
            report(field, "must end with the client ID (a GUID)")
            return nil
        }
        return text
    }

    private mutating func checkScope(applicationIdUri: String?) {
        let field = ValueField.scope
        guard let text = string(field) else { return }
        if text == HandoffValues.scopeName { return }
        if let applicationIdUri, text == "\(applicationIdUri)/\(HandoffValues.scopeName)" { return }
        if text.hasSuffix("/\(HandoffValues.scopeName)") {
            report(field, "the full scope form must be the Application ID URI followed by /access_as_user")
        } else {
            report(field, "must be access_as_user (or the Application ID URI followed by /access_as_user)")
        }
    }

    private mutating func connectionString() -> (text: String, host: String)? {
        let field = ValueField.acsConnectionString
        guard let text = string(field) else { return nil }
        switch ACSConnectionString.parse(text) {
        case .success(let parsed): return (text, parsed.endpointHost)
        case .failure(let violation):
            for message in violation.messages { report(field, "the connection string \(message)") }
            return nil
        }
    }

    private mutating func acsEndpoint(connectionHost: String?) -> String? {
        let field = ValueField.acsEndpoint
        guard let text = string(field) else { return nil }
        switch ACSEndpointRule.host(of: text) {
        case .failure(let violation):
            for message in violation.messages { report(field, "the endpoint \(message)") }
            return nil
        case .success(let host):
            if let connectionHost, connectionHost != host {
                report(field, "names a different resource (\(host)) than the connection string's endpoint (\(connectionHost))")
                return nil
            }
            return "https://\(host)/"
        }
    }
}

extension HandoffValues {
    /// `text` without surrounding spaces, tabs, CRs and LFs (as a prompt's answer is), never inner ones.
    static func trimmed(_ text: String) -> String {
        let blank: Set<Unicode.Scalar> = [" ", "\t", "\r", "\n"]
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !blank.contains($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !blank.contains($0) })!
        return String(scalars[first...last])
    }
}
