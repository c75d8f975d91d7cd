import Foundation
import HandoffDomain
import HTTPTypes
import Hummingbird
import NIOCore
import VaultStore

extension VaultAPI {
    /// The event stream.
    func addEventRoutes(to v1: RouterGroup<VaultRequestContext>) {
        v1.get("events", use: eventStream)
    }

    /// `GET /v1/events?after=ID` (generator, admin): Server-Sent Events, one per outbox event
    /// with id > ID (or > the `Last-Event-ID` header a reconnecting client sends, which wins;
    /// without either, only events from now on), `id:` the event id, `event:` its type, `data:`
    /// its canonical JSON; a heartbeat comment when nothing happened for a while. At most
    /// `EventFeed.streamsPerToken` open streams per token.
    @Sendable func eventStream(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let principal = try authorize(context, [.generator, .admin])
        let resume = try resumePosition(request)
        let feed = eventFeed
        guard let slot = StreamSlot.take(feed, tokenId: principal.tokenId) else {
            throw APIProblem(
                .tooManyRequests, code: "events.too_many_streams", title: "Too many event streams",
                detail: "this token has \(EventFeed.streamsPerToken) event streams open; close one first"
            )
        }
        let start: Int64
        do {
            if let resume { start = resume } else { start = try await feed.newest() }
        } catch {
            slot.release()
            throw error
        }
        let store = self.store
        let metrics = self.metrics
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store"]
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            metrics.eventStreamOpened()
            do {
                try await EventStream(store: store, feed: feed).send(after: start, to: &writer)
            } catch {
                // The client went away (a write failed) or the store failed: the stream ends, and
                // the client resumes from its last id.
            }
            metrics.eventStreamClosed()
            slot.release()
            try? await writer.finish(nil)
        })
    }

    /// Where a stream resumes: `Last-Event-ID`, else `after`, else nil (from now on).
    private func resumePosition(_ request: Request) throws -> Int64? {
        if let header = request.headers[HTTPField.Name("Last-Event-ID")!] {
            guard let id = Int64(header), id >= -1 else {
                throw APIProblem.badRequest("request.invalid_header", "Last-Event-ID must be an event id")
            }
            return id
        }
        guard request.uri.queryParameters.get("after") != nil else { return nil }
        return try integer(request, "after", in: -1...Int64.max)
    }
}

/// One client's event stream: reads the outbox from its position in pages and writes each event
/// as a Server-Sent Event, then waits on the node's `EventFeed` for newer ones or a heartbeat.
struct EventStream {
    let store: any HandoffStore
    let feed: EventFeed
    static let page = 200

    func send(after start: Int64, to writer: inout any ResponseBodyWriter) async throws {
        var cursor = start
        // The client's reconnection delay, and a first line so that proxies pass the stream on.
        try await writer.write(ByteBuffer(string: "retry: 2000\n: stream opened\n\n"))
        while true {
            let events = try await store.events(after: cursor, limit: Self.page)
            if !events.isEmpty {
                var buffer = ByteBuffer()
                for event in events { buffer.writeString(Self.frame(event)) }
                try await writer.write(buffer)
                cursor = events.last!.id
                if events.count == Self.page { continue }
            }
            switch await feed.next(after: cursor) {
            case .events: continue
            case .heartbeat: try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
            case .stopped: return
            }
        }
    }

    /// One event as SSE text.
    static func frame(_ event: HandoffEvent) -> String {
        "id: \(event.id)\nevent: \(event.kind.rawValue)\ndata: \(String(decoding: event.canonicalBytes, as: UTF8.self))\n\n"
    }
}
