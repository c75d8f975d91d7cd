/// The outer shape of a zip file, checked before any zip library reads it: a local file header at
/// the start, and an end-of-central-directory record that ends the file exactly (after its
/// comment) and points at a central directory inside it. The server refuses uploads that fail this;
/// the CLI checks it before a zip library parses untrusted bytes (ZIPFoundation leaks an archive
/// whose opening fails, and a refused file should cost nothing).
package enum ZipShape {
    static let localHeader: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
    static let endRecord: [UInt8] = [0x50, 0x4B, 0x05, 0x06]

    /// Whether `bytes` has the outer shape of a zip file.
    package static func isPlausible(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 22 + 4, bytes.starts(with: localHeader) else { return false }
        // The record is 22 bytes plus a comment of at most 65,535; search backwards for it.
        let lowest = max(0, bytes.count - 22 - 65_535)
        var start = bytes.count - 22
        while start >= lowest {
            if bytes[start..<(start + 4)].elementsEqual(endRecord) {
                let commentLength = Int(bytes[start + 20]) | Int(bytes[start + 21]) << 8
                let directorySize = uint32(bytes, start + 12)
                let directoryOffset = uint32(bytes, start + 16)
                return start + 22 + commentLength == bytes.count && directoryOffset + directorySize <= start
            }
            start -= 1
        }
        return false
    }

    private static func uint32(_ bytes: [UInt8], _ at: Int) -> Int {
        Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
    }
}
