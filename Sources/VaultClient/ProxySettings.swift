import Foundation

/// The HTTPS proxy from `HTTPS_PROXY` / `https_proxy`, unless `NO_PROXY` / `no_proxy` exempts the
/// server's host. Customers reach the service through outbound HTTPS, often via a proxy (Step 7).
package struct ProxySettings: Equatable, Sendable {
    package let host: String
    package let port: Int
    /// `user:password` from the proxy URL, if any (sent as Basic proxy authorization).
    package let credentials: String?

    /// The proxy to use for `serverHost`, or nil for a direct connection.
    package static func from(environment: [String: String], serverHost: String) throws -> ProxySettings? {
        guard let text = environment["HTTPS_PROXY"] ?? environment["https_proxy"], !text.isEmpty else { return nil }
        if bypassed(serverHost, by: environment["NO_PROXY"] ?? environment["no_proxy"] ?? "") { return nil }
        let withScheme = text.contains("://") ? text : "http://" + text
        guard let url = URLComponents(string: withScheme), let host = url.host, !host.isEmpty, let scheme = url.scheme?.lowercased() else {
            throw ClientError(.unusableSetting, "HTTPS_PROXY is not a proxy URL like http://proxy.example:3128")
        }
        // The tunnel through the proxy carries TLS to the vault end to end; this client cannot also
        // speak TLS to the proxy, and must not pretend to by sending the CONNECT in clear text.
        guard scheme == "http" else {
            throw ClientError(.unusableSetting, scheme == "https"
                ? "HTTPS_PROXY names an https:// proxy, which this client cannot speak TLS to; give the proxy's http:// address (the connection to the vault stays TLS end to end through it)"
                : "HTTPS_PROXY must be an http:// proxy URL like http://proxy.example:3128")
        }
        let credentials = url.user.map { user in url.password.map { "\(user):\($0)" } ?? user }
        return ProxySettings(host: host, port: url.port ?? 3128, credentials: credentials)
    }

    /// NO_PROXY: comma-separated hosts or domain suffixes (`.example.com`, `example.com`), or `*`.
    static func bypassed(_ host: String, by list: String) -> Bool {
        let host = host.lowercased()
        for entry in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !entry.isEmpty {
            if entry == "*" { return true }
            let domain = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            let bare = domain.split(separator: ":").first.map(String.init) ?? domain
            if host == bare || host.hasSuffix("." + bare) { return true }
        }
        return false
    }
}
