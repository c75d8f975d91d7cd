import Foundation
import HTTPTypes
import Hummingbird

/// The load balancers and reverse proxies whose word on the client's address is taken
/// (`trusted_proxies`: addresses or CIDR ranges). Behind one, every request comes from the
/// proxy's address: limiting and auditing by it would lock every customer out after ten bad
/// requests, and a proxy on the same host would make `/metrics` public. From a trusted peer the
/// client is read from `X-Forwarded-For` (or RFC 7239 `Forwarded: for=`), right to left, skipping
/// trusted hops: the first address that is not a trusted proxy is the client — so a client cannot
/// choose its own address by sending the header itself. From any other peer the headers are
/// ignored. The PROXY protocol is not spoken.
package struct TrustedProxies: Sendable, Equatable {
    /// One address range: the network's bytes and the prefix length.
    struct Range: Sendable, Equatable {
        let network: [UInt8]
        let prefix: Int

        init?(_ text: String) {
            let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
            guard let address = TrustedProxies.bytes(of: parts[0]) else { return nil }
            let bits = address.count * 8
            let prefix = parts.count == 2 ? Int(parts[1]) : bits
            guard let prefix, (0...bits).contains(prefix) else { return nil }
            network = address
            self.prefix = prefix
        }

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == network.count else { return false }
            var remaining = prefix
            for (index, byte) in network.enumerated() where remaining > 0 {
                let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
                if byte & mask != address[index] & mask { return false }
                remaining -= 8
            }
            return true
        }
    }

    let ranges: [Range]

    /// No proxy is trusted (the default): the TCP peer is the client.
    package static let none = TrustedProxies(ranges: [])

    init(ranges: [Range]) { self.ranges = ranges }

    /// Parses a comma-separated list of addresses and CIDR ranges; nil names the first bad one.
    package static func parse(_ text: String) -> Result<TrustedProxies, ParseFailure> {
        var ranges: [Range] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            guard let range = Range(item) else { return .failure(ParseFailure(item: item)) }
            ranges.append(range)
        }
        return .success(TrustedProxies(ranges: ranges))
    }

    /// An entry that is not an address or CIDR range.
    package struct ParseFailure: Error, Sendable { package let item: String }

    /// Whether `address` is a trusted proxy.
    package func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address) else { return false }
        return ranges.contains { $0.contains(bytes) }
    }

    /// The client's address for a request from `peer` with these headers.
    package func client(peer: String, headers: HTTPFields) -> String {
        guard contains(peer) else { return peer }
        var hops: [String] = []
        for value in headers[values: Self.forwardedFor] {
            hops += value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if hops.isEmpty {
            for value in headers[values: Self.forwarded] {
                for element in value.split(separator: ",") {
                    for pair in element.split(separator: ";") {
                        let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                        if parts.count == 2, parts[0].lowercased() == "for" { hops.append(Self.forwardedNode(parts[1])) }
                    }
                }
            }
        }
        for hop in hops.reversed() {
            guard Self.bytes(of: hop) != nil else { return peer }  // unparseable: trust nothing further
            if !contains(hop) { return Self.canonical(hop) }
        }
        return peer
    }

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwarded = HTTPField.Name("Forwarded")!

    /// An RFC 7239 node: `"[2001:db8::1]:4711"`, `192.0.2.1:80` or `192.0.2.1`, quotes removed.
    static func forwardedNode(_ text: String) -> String {
        var node = text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        if node.hasPrefix("[") { return String(node.dropFirst().prefix { $0 != "]" }) }
        if node.filter({ $0 == ":" }).count == 1 { node = String(node.prefix { $0 != ":" }) }
        return node
    }

    /// The address's bytes (4 or 16), or nil when `text` is not an IP address.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// The address as `inet_ntop` writes it (one spelling per address, for limits and audit rows).
    static func canonical(_ text: String) -> String {
        guard let bytes = bytes(of: text) else { return text }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        return bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil ? String(cString: buffer) : text
        }
    }

    /// Whether `address` is a loopback address (127.0.0.0/8, ::1).
    static func isLoopback(_ address: String) -> Bool {
        guard let bytes = bytes(of: address) else { return false }
        return bytes.count == 4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1]
    }
}

/// Sets the request's client address from `TrustedProxies` (first in line, so that limits, audit
/// rows and logs all see the client, not the proxy).
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = VaultRequestContext
    let trusted: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.remote = trusted.client(peer: context.peer, headers: request.headers)
        return try await next(request, context)
    }
}
