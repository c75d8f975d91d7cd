/// Lowercase hexadecimal, for identifiers derived from random or hashed bytes.
public enum Hex {
    /// `bytes` as two lowercase hex digits each.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
