import AsyncHTTPClient
import Foundation
import HandoffDomain
import NIOCore
import NIOHTTP1
import Synchronization
import TestSupport
import Testing
import VaultClient
import VaultCrypto

/// `GET /v1/events` on the real server over TLS: the events a handoff's changes write, resumed
/// from an id, heartbeats, and who may listen.
@Suite("Event stream")
struct EventStreamTests {
    /// Collects events from a stream in the background until `count` arrived or `within` passed.
    static func collect(
        _ client: VaultClient, after cursor: Int64?, count: Int, within seconds: Int = 20
    ) async throws -> [HandoffEvent] {
        final class Seen: Sendable { let events = Mutex<[HandoffEvent]>([]) }
        let seen = Seen()
        struct Enough: Error {}
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await client.followEvents(after: cursor, for: .seconds(seconds)) { event in
                        let total = seen.events.withLock { $0.append(event); return $0.count }
                        if total >= count { throw Enough() }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        } catch is Enough {}
        return seen.events.withLock { $0 }
    }

    @Test("A submission, release and acknowledgement arrive as events in order; a stream resumes after an id")
    func eventsArriveInOrder() async throws {
        let scenario = try await Scenario()
        let server = scenario.server
        let generator = try VaultClient(server: server.url, caFile: server.caFile, token: BearerToken(text: scenario.generatorToken))
        defer { Task { await generator.shutdown() } }
        let invite = try await scenario.invite()
        // Listen from the newest event now (nothing a handoff did yet), then change the handoff.
        let cursor = Int64(try await server.sql("SELECT COALESCE(MAX(id), -1) FROM event")) ?? -1
        // The stream ends as soon as the three arrive; the bound only has to outlast three CLI runs,
        // which under AddressSanitizer on a slow machine took over 20 seconds.
        async let live = Self.collect(generator, after: cursor, count: 3, within: 180)
        #expect(try await server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file]).status == 0)
        let pulled = server.directory.appendingPathComponent("pulled")
        #expect(try await server.handoff(["pull", "--key", scenario.generatorKey, "--out", pulled.path], token: scenario.generatorToken).status == 0)
        #expect(try await server.handoff(["ack", invite.handoffId], token: scenario.generatorToken).status == 0)
        let events = try await live
        #expect(events.map(\.kind) == [.submitted, .released, .acknowledged])
        #expect(events.allSatisfy { $0.handoffId == invite.handoffId })
        #expect(events.map(\.id) == events.map(\.id).sorted() && Set(events.map(\.id)).count == 3)

        // Resumed after the first: the other two, at once.
        let resumed = try await Self.collect(generator, after: events[0].id, count: 2, within: 60)
        #expect(resumed == Array(events.dropFirst()))
        // The ids are audit indices: the auditor's log holds each change at its event's id.
        let actions = try await server.sql("SELECT id || ' ' || json_extract(CAST(event AS TEXT), '$.action') FROM auditEvent WHERE id IN (\(events.map { String($0.id) }.joined(separator: ",")))")
        #expect(actions.split(separator: "\n").map { $0.split(separator: " ").last.map(String.init) } == ["submission.received", "submission.released", "handoff.acknowledged"])
    }

    @Test("The raw stream: SSE frames with id and type, heartbeats, Last-Event-ID; customers and auditors refused; streams per token bounded")
    func rawStream() async throws {
        let scenario = try await Scenario(serverEnvironment: ["HANDOFF_EVENT_HEARTBEAT_MS": "300"])
        let server = scenario.server
        let invite = try await scenario.invite()
        #expect(try await server.handoff(["submit", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", invite.file]).status == 0)
        let url = server.url + "/v1/events"
        try await TestHTTP.with(caFile: server.caFile) { http in
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Authorization", value: "Bearer \(server.adminToken)")
            request.headers.add(name: "Last-Event-ID", value: "0")
            let response = try await http.client.execute(request, timeout: .seconds(10))
            #expect(response.status.code == 200)
            #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
            var text = ""
            for try await chunk in response.body {
                text += String(buffer: chunk)
                if text.contains(": heartbeat") { break }
            }
            #expect(text.hasPrefix("retry: 2000\n"))
            #expect(text.contains("event: handoff.submitted\ndata: {\"at\":"), "\(text)")
            #expect(text.contains("\"handoffId\":\"\(invite.handoffId)\""))
            #expect(text.contains(": heartbeat\n\n"), "a quiet stream sends heartbeats")

            let customer = try InviteCode(decoding: invite.code).token.withText { $0 }
            #expect(try await http.send("GET", url, token: customer).status == 403)
            #expect(try await http.send("GET", url, token: try await scenario.token(role: "auditor")).status == 403)
            #expect(try await http.send("GET", url + "?after=x", token: server.adminToken).status == 400)
            #expect(try await http.send("GET", url).status == 401)
        }
        // Four streams per token; the fifth is refused while they are open.
        let generator = try VaultClient(server: server.url, caFile: server.caFile, token: BearerToken(text: scenario.generatorToken))
        defer { Task { await generator.shutdown() } }
        // The fifth is tried once the server answered all four (a fixed sleep was too short under ASan).
        let (connected, opened) = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    defer { opened.finish() }  // a stream that fails or ends stops the wait below
                    try await generator.followEvents(after: nil, for: .seconds(60), onConnected: { opened.yield() }) { _ in }
                }
            }
            var open = 0
            for await _ in connected { open += 1; if open == 4 { break } }
            try #require(open == 4, "all four streams open before the fifth")
            let fifth = await #expect(throws: ClientError.self) { try await generator.followEvents(after: nil, for: .seconds(5)) { _ in } }
            #expect(fifth?.status == 429 && fifth?.problemCode == "events.too_many_streams")
            group.cancelAll()
        }
    }
}
