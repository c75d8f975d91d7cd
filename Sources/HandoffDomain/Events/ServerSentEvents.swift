/// Reads a `text/event-stream` (the WHATWG HTML "server-sent events" format) as it arrives:
/// bytes in, whole messages out. Lines end in LF, CR or CRLF; `:` lines are comments
/// (heartbeats); a blank line ends a message; fields other than `id`, `event`, `data` and
/// `retry` are ignored, as the format says. A line longer than `maximumLine` is refused.
package struct ServerSentEvents: Sendable {
    /// One dispatched message.
    package struct Message: Sendable, Equatable {
        package var id: String?
        package var event: String?
        package var data: String

        package init(id: String?, event: String?, data: String) {
            self.id = id
            self.event = event
            self.data = data
        }
    }

    /// The longest line kept (an event's JSON is far shorter).
    package static let maximumLine = 64 * 1024

    private var line: [UInt8] = []
    private var afterCR = false
    private var id: String?
    private var event: String?
    private var data: [String] = []
    private var hasData = false

    package init() {}

    /// Consumes `bytes`; returns the messages they completed.
    package mutating func feed(_ bytes: some Sequence<UInt8>) throws(FormatError) -> [Message] {
        var messages: [Message] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0A, 0x0D:
                afterCR = byte == 0x0D
                if let message = endLine() { messages.append(message) }
            default:
                guard line.count < Self.maximumLine else { throw FormatError(.answerMalformed, "the event stream sent a line longer than 64 KiB") }
                line.append(byte)
            }
        }
        return messages
    }

    private mutating func endLine() -> Message? {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else {
            defer { event = nil; data = []; hasData = false }
            guard hasData else { return nil }
            return Message(id: id, event: event, data: data.joined(separator: "\n"))
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let text = String(decoding: line, as: UTF8.self)
        let name: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            name = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            name = Substring(text)
            value = ""
        }
        switch name {
        case "id": if !value.contains("\0") { id = String(value) }
        case "event": event = String(value)
        case "data": data.append(String(value)); hasData = true
        default: break
        }
        return nil
    }
}
