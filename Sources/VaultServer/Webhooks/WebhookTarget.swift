import Foundation

/// Where a webhook may be delivered (DESIGN.md, "Events, webhooks and the generator agent"):
/// https only, no credentials in the URL; every address its host resolves to is checked before
/// each delivery, and the connection goes to the checked address (no second lookup to rebind).
/// Link-local and cloud metadata addresses are always refused; private, loopback, shared and
/// unspecified ones unless `webhook_allow_private`; multicast and reserved ones always.
struct WebhookTarget: Sendable, Equatable {
    let url: String
    let host: String
    let port: Int

    /// Why a URL or an address is refused (said to the admin, and in the delivery log).
    struct Refusal: Error, Equatable { let reason: String }

    /// Always refused: link-local (169.254/16 holds the cloud metadata services, fe80::/10),
    /// other metadata addresses, multicast, reserved and broadcast.
    static let forbidden = ["169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32", "224.0.0.0/4", "240.0.0.0/4", "ff00::/8"]
        .compactMap(TrustedProxies.Range.init)
    /// Refused unless private targets are allowed: loopback, RFC 1918, shared (CGNAT), unique
    /// local, unspecified.
    static let privateRanges = ["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "0.0.0.0/8", "::1/128", "::/128", "fc00::/7"]
        .compactMap(TrustedProxies.Range.init)

    /// Checks the URL's form.
    init(_ url: String) throws(Refusal) {
        guard url.utf8.count <= 2048, let components = URLComponents(string: url), components.scheme?.lowercased() == "https" else {
            throw Refusal(reason: "a webhook URL must be an https:// URL")
        }
        guard let host = components.host, !host.isEmpty else { throw Refusal(reason: "the webhook URL names no host") }
        guard components.user == nil, components.password == nil else { throw Refusal(reason: "the webhook URL must not carry a user name or password") }
        guard components.fragment == nil else { throw Refusal(reason: "the webhook URL must not have a #fragment") }
        self.url = url
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? 443
    }

    /// Whether `address` may be connected to; nil if so, else why not.
    static func refusal(of address: String, allowPrivate: Bool) -> String? {
        guard var bytes = TrustedProxies.bytes(of: address) else { return "\(address) is not an IP address" }
        // An IPv4-mapped IPv6 address is its IPv4 address.
        if bytes.count == 16, bytes.prefix(10).allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { bytes = Array(bytes.suffix(4)) }
        if forbidden.contains(where: { $0.contains(bytes) }) {
            return "\(address) is a link-local, metadata, multicast or reserved address, never a webhook receiver"
        }
        if !allowPrivate, privateRanges.contains(where: { $0.contains(bytes) }) {
            return "\(address) is a private or loopback address (set webhook_allow_private for internal receivers)"
        }
        return nil
    }

    /// The addresses the host resolves to now, each checked; the first allowed one is where the
    /// delivery connects. Any refused address refuses the target (a name must not mix them).
    func resolve(allowPrivate: Bool) throws(Refusal) -> String {
        let addresses = Self.addresses(of: host)
        guard !addresses.isEmpty else { throw Refusal(reason: "\(host) does not resolve") }
        for address in addresses {
            if let reason = Self.refusal(of: address, allowPrivate: allowPrivate) { throw Refusal(reason: reason) }
        }
        return addresses[0]
    }

    /// `getaddrinfo`'s answer for `host` as address strings (an IP literal is itself).
    static func addresses(of host: String) -> [String] {
        if TrustedProxies.bytes(of: host) != nil { return [TrustedProxies.canonical(host)] }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(list) }
        var found: [String] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(cString: buffer)
                if !found.contains(text) { found.append(text) }
            }
            entry = current.pointee.ai_next
        }
        return found
    }
}
