internal import AsyncHTTPClient
import Foundation
import HandoffDomain
internal import NIOCore
internal import NIOHTTP1

extension VaultClient {
    /// Follows `GET /v1/events` from the event after `cursor` (nil: from now on), calling
    /// `onConnected` once the server accepted the stream, then `onEvent` for each event as it
    /// arrives, in order. Returns when the server ends the stream (it
    /// is shutting down) or after `for` (the connection is closed; a fresh one is the caller's); a refusal,
    /// a broken connection or a malformed event throws a `ClientError`. A silent connection ends
    /// after the read timeout (30 s; the server sends a heartbeat every 15 s).
    package func followEvents(
        after cursor: Int64?, for duration: Duration = .seconds(3_600), onConnected: @escaping @Sendable () async -> Void = {},
        onEvent: @escaping @Sendable (HandoffEvent) async throws -> Void
    ) async throws {
        struct TimeIsUp: Error {}
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.consumeEvents(after: cursor, onConnected: onConnected, onEvent: onEvent) }
                group.addTask {
                    try await Task.sleep(for: duration)
                    throw TimeIsUp()
                }
                try await group.next()
                group.cancelAll()
            }
        } catch is TimeIsUp {}
    }

    private func consumeEvents(
        after cursor: Int64?, onConnected: @Sendable () async -> Void, onEvent: @Sendable (HandoffEvent) async throws -> Void
    ) async throws {
        var request = HTTPClientRequest(url: base + "/v1/events" + (cursor.map { "?after=\($0)" } ?? ""))
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let token { token.withText { request.headers.add(name: "Authorization", value: "Bearer \($0)") } }
        let response = try await execute(request, timeout: .hours(24))
        let status = Int(response.status.code)
        guard status == 200 else {
            let body = try? await response.body.collect(upTo: Self.maximumResponseSize)
            throw refusal(status: status, problem: body.flatMap { try? JSONParser.parse(Array(buffer: $0)) }, headers: response.headers)
        }
        await onConnected()
        var parser = ServerSentEvents()
        var chunks = response.body.makeAsyncIterator()
        while let chunk = try await nextChunk(&chunks) {
            let events: [HandoffEvent]
            do {
                events = try parser.feed(chunk.readableBytesView).map { try HandoffEvent(json: try JSONParser.parse(Array($0.data.utf8))) }
            } catch let error as FormatError {
                var failure = ClientError(.malformedResponse, status: status, "the event stream sent what the API does not promise: \(error.reason)")
                failure.url = base
                throw failure
            }
            // The caller's own errors pass through untouched.
            for event in events { try await onEvent(event) }
        }
    }

    /// The stream's next chunk (nil at its end); a broken connection becomes a `ClientError`.
    private func nextChunk(_ chunks: inout HTTPClientResponse.Body.AsyncIterator) async throws -> ByteBuffer? {
        do {
            return try await chunks.next()
        } catch {
            var failure = Self.classify(error)
            failure.url = base
            throw failure
        }
    }
}
