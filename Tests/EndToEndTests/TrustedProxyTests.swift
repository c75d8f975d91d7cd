import Foundation
import HandoffDomain
import TestSupport
import Testing

/// Behind a load balancer every request comes from its address. `trusted_proxies` names it: the
/// client is then read from what it forwards — for limits, audit rows and `/metrics` — and from
/// nobody else. Loopback addresses stand in for hosts: 127.0.0.2 is the proxy, 127.0.0.3 a
/// client talking to the vault directly.
@Suite("Trusted proxies", .serialized)
struct TrustedProxyTests {
    /// `curl` from `source` with extra headers; the HTTP status.
    static func status(_ server: ServerHarness, from source: String, _ path: String, headers: [String] = []) async throws -> String {
        var arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--interface", source, "--cacert", server.caFile]
        for header in headers { arguments += ["-H", header] }
        let result = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/curl"), arguments + [server.url + path])
        return result.standardOutput
    }

    @Test("Clients behind a trusted proxy are limited one by one; the forwarded address is ignored from anyone else; the proxy does not open /metrics")
    func forwardedClients() async throws {
        let scenario = try await Scenario(serverEnvironment: [
            "HANDOFF_TRUSTED_PROXIES": "127.0.0.2/32, 10.0.0.0/8", "HANDOFF_REFUSAL_LIMIT": "3", "HANDOFF_REFUSAL_WINDOW": "1h",
        ])
        let server = scenario.server
        // Client A, through the proxy, fails four times: A is limited...
        var seen: [String] = []
        for _ in 0..<4 {
            seen.append(try await Self.status(server, from: "127.0.0.2", "/v1/handoffs", headers: ["X-Forwarded-For: 198.51.100.7, 10.1.2.3"]))
        }
        #expect(seen == ["401", "401", "401", "429"], "\(seen)")
        // ... and client B, through the same proxy, is not (RFC 7239 Forwarded, too).
        #expect(try await Self.status(server, from: "127.0.0.2", "/v1/handoffs", headers: ["X-Forwarded-For: 198.51.100.8"]) == "401")
        #expect(try await Self.status(server, from: "127.0.0.2", "/v1/handoffs", headers: [#"Forwarded: for="[2001:db8::9]:4711";proto=https"#]) == "401")
        // A client that claims an address itself, from an address that is no proxy, gets nothing
        // for it: its own address is limited, whatever it forwards.
        var direct: [String] = []
        for number in 0..<4 {
            direct.append(try await Self.status(server, from: "127.0.0.3", "/v1/handoffs", headers: ["X-Forwarded-For: 203.0.113.\(number)"]))
        }
        #expect(direct == ["401", "401", "401", "429"], "\(direct)")
        // A client cannot hide behind the proxy's list either: the rightmost untrusted hop counts.
        #expect(try await Self.status(server, from: "127.0.0.2", "/v1/handoffs", headers: ["X-Forwarded-For: 198.51.100.99, 198.51.100.7"]) == "429")

        // /metrics: a scraper on this host gets it; the proxy (loopback, but trusted) does not.
        #expect(try await Self.status(server, from: "127.0.0.1", "/metrics") == "200")
        #expect(try await Self.status(server, from: "127.0.0.2", "/metrics") == "401")

        // The audit log names the clients, not the proxy.
        await server.stop()
        let remotes = try await server.sql("""
            SELECT json_extract(CAST(event AS TEXT), '$.remote') || ':' || json_extract(CAST(event AS TEXT), '$.count') FROM auditEvent
            WHERE json_extract(CAST(event AS TEXT), '$.action') = 'request.refused' ORDER BY 1
            """).split(separator: "\n").map(String.init)
        #expect(remotes.contains("198.51.100.7:5"), "\(remotes)")
        #expect(remotes.contains("198.51.100.8:1"), "\(remotes)")
        #expect(remotes.contains("2001:db8:0:0::/64:1"), "\(remotes)")
        #expect(remotes.contains("127.0.0.3:4"), "\(remotes)")
        // The proxy is the client only of what it sent without forwarding (its /metrics request).
        #expect(remotes.filter { $0.hasPrefix("127.0.0.2:") } == ["127.0.0.2:1"], "\(remotes)")
    }

    @Test("trusted_proxies must hold addresses or CIDR ranges (78 otherwise)")
    func badSetting() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["HANDOFF_TRUSTED_PROXIES"] = "10.0.0.0/8, load-balancer.internal"
        let result = try await ProcessRunner.run(TestPaths.product("handoffd"), ["config", "check"], environment: environment)
        #expect(result.status == 78)
        #expect(result.standardError.contains("load-balancer.internal is not an IP address or CIDR range"), "\(result.standardError)")
    }
}
