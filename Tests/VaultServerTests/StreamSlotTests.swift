import Foundation
import Logging
import TestSupport
import Testing
@testable import VaultServer
import VaultStore

/// A token's event stream places: taken up to `EventFeed.streamsPerToken`, and given back once
/// each, whether the stream ended or its response was dropped before its body ran.
@Suite("Event stream places")
struct StreamSlotTests {
    @Test("A place comes back when its stream ends (once, however often released) and when its response is dropped unsent")
    func placesComeBack() async throws {
        let opened = try await TestStore(.sqlite)
        defer { opened.close() }
        let feed = EventFeed(store: opened.store, logger: Logger(label: "stream-slot-test"))
        var slots: [StreamSlot] = []
        for _ in 0..<EventFeed.streamsPerToken { slots.append(try #require(StreamSlot.take(feed, tokenId: "tok_a"))) }
        #expect(StreamSlot.take(feed, tokenId: "tok_a") == nil, "one more than the limit is refused")
        let other = StreamSlot.take(feed, tokenId: "tok_b")
        #expect(other != nil, "another token has places of its own")

        // A stream that ended, released twice: its place comes back once.
        slots[0].release()
        slots[0].release()
        let again = try #require(StreamSlot.take(feed, tokenId: "tok_a"))
        #expect(StreamSlot.take(feed, tokenId: "tok_a") == nil, "released twice, given back once")

        // A response dropped before its body ran: the last reference to its place goes, and the
        // place is back at once.
        slots.removeLast()
        #expect(StreamSlot.take(feed, tokenId: "tok_a") != nil, "the dropped stream's place came back")
        withExtendedLifetime((again, other, slots)) {}
    }
}
