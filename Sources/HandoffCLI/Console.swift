#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HandoffDomain

/// Standard output and error, written whole so that lines from one command never interleave.
/// Text shown to people is escaped: control characters (ESC, BEL, CR, DEL, the C1 range) and the
/// bidirectional overrides become visible `\u{…}` escapes, so that text from a server — a customer
/// name, a problem's detail — cannot move the cursor, retitle the window or reorder what is shown.
enum Console {
    /// A line for people on standard output.
    static func out(_ text: String) {
        write(line(escaped(text)), to: STDOUT_FILENO)
    }

    /// A line for people on standard error.
    static func error(_ text: String) {
        write(line(escaped(text)), to: STDERR_FILENO)
    }

    /// One canonical JSON document on standard output. Canonical JSON already escapes C0 controls;
    /// DEL and the C1 range are escaped here as `\u00xx`, which a JSON reader decodes to the same
    /// string.
    static func json(_ value: JSONValue) {
        var text = ""
        for scalar in CanonicalJSON.string(value).unicodeScalars {
            if (0x7F...0x9F).contains(scalar.value) {
                let hex = String(scalar.value, radix: 16)
                text += "\\u00" + (hex.count < 2 ? "0" + hex : hex)
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        write(line(text), to: STDOUT_FILENO)
    }

    /// `text` with every character that could steer a terminal made visible; newlines and tabs stay.
    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let steers = (value < 0x20 && value != 0x0A && value != 0x09) || (0x7F...0x9F).contains(value)
                || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
            if steers {
                result += "\\u{" + String(value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func line(_ text: String) -> String { text.hasSuffix("\n") ? text : text + "\n" }

    private static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
        bytes.removeAll()
    }

    private static func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, buffer, count)
        #else
        Darwin.write(descriptor, buffer, count)
        #endif
    }
}
