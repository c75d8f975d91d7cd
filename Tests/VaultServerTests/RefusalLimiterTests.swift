import Foundation
import TestSupport
import Testing
@testable import VaultServer
import VaultStore

@Suite("Refusal limiter")
struct RefusalLimiterTests {
    @Test("IPv6 addresses are limited by their /64, IPv4 (and IPv4-mapped) by the address")
    func networks() {
        #expect(RefusalLimiter.network(of: "2001:db8:1:2::1") == "2001:db8:1:2::/64")
        #expect(RefusalLimiter.network(of: "2001:db8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64")
        #expect(RefusalLimiter.network(of: "2001:db8:1:3::1") == "2001:db8:1:3::/64")
        #expect(RefusalLimiter.network(of: "::ffff:192.0.2.7") == "192.0.2.7")
        #expect(RefusalLimiter.network(of: "192.0.2.7") == "192.0.2.7")
    }

    @Test("A /64 walking its addresses is one network: blocked after the limit, for the rest of the window")
    func walkingAddresses() {
        let limiter = RefusalLimiter(limit: 10, window: 60)
        let start = Date(timeIntervalSince1970: 1_000_000)
        for host in 1...10 {
            #expect(limiter.retryAfter("2001:db8:1:2::\(String(host, radix: 16))", now: start) == nil)
            limiter.record("2001:db8:1:2::\(String(host, radix: 16))", .init(principal: nil, requestId: "r\(host)"), now: start)
        }
        #expect(limiter.retryAfter("2001:db8:1:2::abcd", now: start.addingTimeInterval(15)) == 45)
        #expect(limiter.retryAfter("2001:db8:1:9::1", now: start) == nil, "another /64 is not affected")
        #expect(limiter.retryAfter("2001:db8:1:2::1", now: start.addingTimeInterval(60)) == nil, "the window ends")
        let closed = limiter.drainClosed(now: start.addingTimeInterval(61))
        #expect(closed.count == 1 && closed.first?.count == 10 && closed.first?.requestId == "r1")
        #expect(limiter.drainClosed(now: nil).isEmpty)
    }

    @Test("The table stays bounded; networks pushed out keep their counts for the audit")
    func bounded() {
        let limiter = RefusalLimiter(limit: 10, window: 60, capacity: 4)
        let now = Date(timeIntervalSince1970: 1_000_000)
        for host in 1...20 { limiter.record("192.0.2.\(host)", .init(principal: nil, requestId: "r"), now: now) }
        let tallies = limiter.drainClosed(now: nil)
        #expect(tallies.reduce(0) { $0 + $1.count } == 20, "no refusal is lost")
        #expect(tallies.count <= 8, "at most the table and as many pushed-out tallies")
    }

    @Test("The LRU table evicts the least recently used entry")
    func lru() {
        var table = LRUTable<Int>(capacity: 2)
        table.set("a", 1)
        table.set("b", 2)
        _ = table.value(for: "a")
        let evicted = table.set("c", 3)
        #expect(evicted?.key == "b")
        #expect(table.entries.map(\.key) == ["c", "a"])
        #expect(table.count == 2)
    }
}
