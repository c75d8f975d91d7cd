import Foundation
import HandoffDomain
import VaultStore

/// A witness handoffd asks to cosign its checkpoints: its verifier key and the submission prefix
/// to which `/add-checkpoint` is appended (config `witnesses: [{name, key, url}]`; in the
/// environment or on the command line `<key> <url>` items separated by commas).
package struct WitnessEndpoint: Sendable, Equatable {
    package let key: WitnessKey
    /// The submission prefix, https, without a trailing slash.
    package let url: String

    package var name: String { key.name }

    /// The `add-checkpoint` URL.
    var addCheckpointURL: String { url + "/add-checkpoint" }

    /// Parses `<key> <url>[,<key> <url>…]`.
    static func list(_ text: String, source: String) throws -> [WitnessEndpoint] {
        var endpoints: [WitnessEndpoint] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard parts.count == 2 else { throw SettingsError("\(source): witnesses: each witness is its verifier key and its URL") }
            let key: WitnessKey
            do {
                key = try WitnessKey(verifierKey: parts[0])
            } catch {
                throw SettingsError("\(source): witnesses: \(error.reason)")
            }
            guard let components = URLComponents(string: parts[1]), components.scheme == "https", components.host?.isEmpty == false,
                  components.query == nil, components.fragment == nil
            else { throw SettingsError("\(source): witnesses: the URL of \(key.name) must be an https URL (the witness's submission prefix)") }
            guard !endpoints.contains(where: { $0.name == key.name }) else { throw SettingsError("\(source): witnesses: \(key.name) is listed twice") }
            endpoints.append(WitnessEndpoint(key: key, url: parts[1].hasSuffix("/") ? String(parts[1].dropLast()) : parts[1]))
        }
        return endpoints
    }

    /// A YAML mapping `{name, key, url}` as the text form, the name checked against the key's.
    static func text(fromMapping mapping: [String: Any], source: String) throws -> String {
        guard Set(mapping.keys).isSubset(of: ["name", "key", "url"]), let key = mapping["key"].map({ "\($0)" }), let url = mapping["url"].map({ "\($0)" }) else {
            throw SettingsError("\(source): witnesses: each witness is a mapping of name, key and url")
        }
        if let name = mapping["name"].map({ "\($0)" }), !key.hasPrefix(name + "+") {
            throw SettingsError("\(source): witnesses: the name \(name) is not the name in its key")
        }
        return "\(key) \(url)"
    }
}
