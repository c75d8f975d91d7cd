import HandoffDomain
import Testing

@Suite("Server-sent events")
struct ServerSentEventsTests {
    @Test("Messages split across reads, CRLF and CR line ends, comments and multi-line data")
    func parsesTheFormat() throws {
        var parser = ServerSentEvents()
        let text = "retry: 2000\r\n: stream opened\r\n\r\nid: 7\nevent: handoff.submitted\ndata: {\"id\":7}\n\n: heartbeat\n\nid: 8\rdata: a\rdata: b\r\r"
        var messages: [ServerSentEvents.Message] = []
        for chunk in Array(text.utf8).chunked(3) { messages += try parser.feed(chunk) }
        #expect(messages == [
            .init(id: "7", event: "handoff.submitted", data: "{\"id\":7}"),
            .init(id: "8", event: nil, data: "a\nb"),
        ])
    }

    @Test("The last id carries over to a message that names none; an unfinished message is not dispatched")
    func idCarriesOver() throws {
        var parser = ServerSentEvents()
        #expect(try parser.feed(Array("id: 3\ndata: x\n\ndata: y\n\ndata: z\n".utf8)).map(\.id) == ["3", "3"])
    }

    @Test("A line over 64 KiB is refused")
    func longLineRefused() {
        var parser = ServerSentEvents()
        #expect(throws: FormatError.self) { try parser.feed(Array(repeating: UInt8(ascii: "a"), count: 70_000)) }
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
