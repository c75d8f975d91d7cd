import Synchronization

/// One event stream's place in `EventFeed`'s count of a token's open streams, given back exactly
/// once, at once: when the stream ends, or — if its response was dropped before its body ran (the
/// client gone before the first byte) — when the last reference to it goes. Without the second way, a
/// dropped response kept its place until the node restarted, and four of them locked the token
/// out of streams.
final class StreamSlot: Sendable {
    private let feed: EventFeed
    private let tokenId: String
    private let released = Atomic<Bool>(false)

    /// Takes a place for `tokenId`, or nil when it has `EventFeed.streamsPerToken` open.
    static func take(_ feed: EventFeed, tokenId: String) -> StreamSlot? {
        guard feed.open(tokenId: tokenId) else { return nil }
        return StreamSlot(feed: feed, tokenId: tokenId)
    }

    private init(feed: EventFeed, tokenId: String) {
        self.feed = feed
        self.tokenId = tokenId
    }

    /// Gives the place back (once; later calls do nothing).
    func release() {
        guard released.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        feed.close(tokenId: tokenId)
    }

    deinit {
        release()
    }
}
