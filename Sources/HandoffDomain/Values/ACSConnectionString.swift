import VaultCrypto

/// The parts of an Azure Communication Services connection string
/// (`endpoint=https://…/;accesskey=…`), checked as the Azure SDKs parse it: `;`-separated pairs
/// split at the first `=`, key names case-insensitive, order free, empty pairs ignored.
///
/// Only the endpoint is kept; the access key is checked in guarded memory and dropped. No message
/// here ever includes any part of the string.
struct ACSConnectionString {
    /// The endpoint's host, lowercased.
    let endpointHost: String

    /// Parses and checks a connection string; returns every problem found.
    static func parse(_ text: String) -> Result<ACSConnectionString, RuleViolation> {
        var endpoint: String?
        var accessKey: Substring?
        var problems: [String] = []
        for pair in text.split(separator: ";", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else {
                problems.append("has a part without '=' (expected endpoint=…;accesskey=…)")
                continue
            }
            let value = pair[pair.index(after: equals)...]
            switch pair[..<equals].lowercased() {
            case "endpoint":
                if endpoint != nil { problems.append("names endpoint twice") }
                endpoint = String(value)
            case "accesskey":
                if accessKey != nil { problems.append("names accesskey twice") }
                accessKey = value
            default:
                problems.append("has a key other than endpoint and accesskey")
            }
        }
        var host: String?
        if let endpoint {
            switch ACSEndpointRule.host(of: endpoint) {
            case .success(let value): host = value
            case .failure(let violation): problems += violation.messages.map { "endpoint \($0)" }
            }
        } else {
            problems.append("has no endpoint=…")
        }
        if let accessKey {
            if let problem = accessKeyProblem(accessKey) { problems.append(problem) }
        } else {
            problems.append("has no accesskey=…")
        }
        if let host, problems.isEmpty { return .success(ACSConnectionString(endpointHost: host)) }
        return .failure(RuleViolation(problems))
    }

    /// Standard base64 (padded or not) of at least 32 bytes, decoded into guarded memory.
    private static func accessKeyProblem(_ key: Substring) -> String? {
        guard !key.isEmpty else { return "has an empty accesskey" }
        let variant: Base64.Variant = key.hasSuffix("=") ? .standard : .standardUnpadded
        guard let decoded = try? Base64.decodeSecret(String(key), variant) else {
            return "has an accesskey that is not standard base64"
        }
        guard decoded.count >= 32 else {
            return "has an accesskey that decodes to \(decoded.count) bytes; ACS keys are at least 32"
        }
        return nil
    }
}

/// The shape of an ACS endpoint: `https://<resource>.communication.azure.com/` (or `.azure.us`),
/// nothing after the host but an optional `/`.
enum ACSEndpointRule {
    static let hostSuffixes = [".communication.azure.com", ".communication.azure.us"]

    /// The lowercased host of an acceptable endpoint, or a phrase saying what is wrong.
    static func host(of text: String) -> Result<String, RuleViolation> {
        guard case .success(let address) = WebAddress.parse(text) else {
            return .failure(RuleViolation("is not an https URL with a host name"))
        }
        guard address.scheme == "https" else { return .failure(RuleViolation("must use https")) }
        guard address.port == nil, address.rest.isEmpty || address.rest == "/" else {
            return .failure(RuleViolation("must be the resource URL alone, with no port, path or query"))
        }
        let host = address.host.lowercased()
        guard hostSuffixes.contains(where: { host.hasSuffix($0) && host.count > $0.count }) else {
            return .failure(RuleViolation("is not an Azure Communication Services host (*.communication.azure.com)"))
        }
        return .success(host)
    }
}
