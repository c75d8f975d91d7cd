import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VaultStore

/// This node's view of the events outbox for the event streams: it polls the store for the
/// newest event id every `interval` and wakes the streams waiting for one, and wakes them for a
/// heartbeat every `heartbeat`. Polling the outbox (rather than PostgreSQL `LISTEN/NOTIFY`) works
/// the same on SQLite and on every PostgreSQL node, keeps no extra connection, and cannot miss a
/// notification: an event committed through any node reaches every node's streams within one
/// interval. Streams read the events themselves, from their own position.
package actor EventFeed: Service {
    /// What a waiting stream is woken for.
    package enum Signal: Sendable { case events, heartbeat, stopped }

    /// Open streams per token at most; one more is refused with 429.
    package static let streamsPerToken = 4

    private let store: any HandoffStore
    private let interval: Duration
    private let heartbeat: Duration
    private let logger: Logger
    /// The newest event id seen (-1: none yet, or not polled yet).
    private var head: Int64 = -1
    private var polled = false
    private var stopped = false
    private var waiters: [CheckedContinuation<Signal, Never>] = []
    /// Open streams by token id: outside the actor's isolation, so that a stream's place can be
    /// given back synchronously, even from a deinit (`StreamSlot`).
    private let streams = Mutex<[String: Int]>([:])

    package init(store: any HandoffStore, interval: Duration = .milliseconds(250), heartbeat: Duration = .seconds(15), logger: Logger) {
        self.store = store
        self.interval = interval
        self.heartbeat = heartbeat
        self.logger = logger
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.tick()
                try? await Task.sleep(for: self.interval)
            }
        }
        stopped = true
        wake(.stopped)
    }

    private let clock = ContinuousClock()
    private lazy var lastBeat = clock.now

    /// One poll, and a heartbeat when one is due.
    private func tick() async {
        await poll()
        if clock.now - lastBeat >= heartbeat {
            lastBeat = clock.now
            wake(.heartbeat)
        }
    }

    private func poll() async {
        do {
            let newest = try await store.latestEventId()
            polled = true
            if newest > head {
                head = newest
                wake(.events)
            }
        } catch {
            logger.warning("cannot read the events outbox; will retry", metadata: ["error": .string(String(describing: type(of: error)))])
        }
    }

    private func wake(_ signal: Signal) {
        let woken = waiters
        waiters.removeAll()
        for waiter in woken { waiter.resume(returning: signal) }
    }

    /// The newest event id, read from the store if the feed has not polled yet.
    package func newest() async throws -> Int64 {
        if !polled {
            head = max(head, try await store.latestEventId())
            polled = true
        }
        return head
    }

    /// Returns at once with `.events` when an event newer than `cursor` is known, else waits
    /// for one, a heartbeat or the server's shutdown.
    package func next(after cursor: Int64) async -> Signal {
        if stopped { return .stopped }
        if head > cursor { return .events }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// Counts a stream opened by `tokenId`; false when that token has `streamsPerToken` open.
    package nonisolated func open(tokenId: String) -> Bool {
        streams.withLock { streams in
            let open = streams[tokenId, default: 0]
            guard open < Self.streamsPerToken else { return false }
            streams[tokenId] = open + 1
            return true
        }
    }

    /// A stream of `tokenId` ended.
    package nonisolated func close(tokenId: String) {
        streams.withLock { streams in
            let open = streams[tokenId, default: 1] - 1
            streams[tokenId] = open > 0 ? open : nil
        }
    }
}
