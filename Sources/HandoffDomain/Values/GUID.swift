/// The GUID rule shared by client ID, tenant ID and Teams app Object ID.
enum GUID {
    /// The lowercase form of `text` if it is exactly `8-4-4-4-12` ASCII hex digits, else nil.
    static func normalized(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return nil }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                guard isHexDigit(byte) else { return nil }
            }
        }
        return text.lowercased()
    }

    /// Why `text` is not a GUID, in a sentence.
    static func problem(_ text: String) -> String {
        if text.hasPrefix("{") || text.hasSuffix("}") {
            return "is not a GUID: remove the braces around it"
        }
        if text.unicodeScalars.contains(where: { !$0.isASCII }) {
            return "is not a GUID: it contains a non-ASCII character"
        }
        return "is not an ID as the portal shows them: 36 characters, digits and letters a–f in five groups joined by hyphens, like 00000000-0000-0000-0000-000000000000"
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}

extension HandoffValues {
    /// Whether `text` satisfies the GUID rule of the values (8-4-4-4-12 hex digits, no braces).
    package static func isGUID(_ text: String) -> Bool {
        GUID.normalized(text) != nil
    }
}

extension HandoffValues {
    /// Whether `text` is a handoff or submission id as the server makes them: a lowercase UUID.
    /// Ids from a server are untrusted; one that fails this never becomes a path or a URL.
    package static func isHandoffId(_ text: String) -> Bool {
        text.utf8.count == 36 && GUID.normalized(text) == text
    }
}
