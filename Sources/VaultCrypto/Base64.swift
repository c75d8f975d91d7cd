import CSodium

/// Strict base64 through libsodium: one alphabet per variant, no whitespace, no stray padding
/// bits, so that every value has exactly one accepted text form.
package enum Base64 {
    /// The alphabets and padding rules used in this project's formats.
    package enum Variant: Sendable {
        /// RFC 4648 §4 with `=` padding: keys and sealed boxes in JSON.
        case standard
        /// RFC 4648 §4 without padding (ACS access keys are seen in this form).
        case standardUnpadded
        /// RFC 4648 §5 without padding: invite codes and tokens.
        case urlSafeUnpadded

        var sodiumVariant: Int32 {
            switch self {
            case .standard: return sodium_base64_VARIANT_ORIGINAL
            case .standardUnpadded: return sodium_base64_VARIANT_ORIGINAL_NO_PADDING
            case .urlSafeUnpadded: return sodium_base64_VARIANT_URLSAFE_NO_PADDING
            }
        }
    }

    /// Encodes `bytes`.
    package static func encode<Bytes: Collection>(_ bytes: Bytes, _ variant: Variant = .standard) -> String
    where Bytes.Element == UInt8 {
        let input = Array(bytes)
        let capacity = sodium_base64_encoded_len(input.count, variant.sodiumVariant)
        var output = [CChar](repeating: 0, count: capacity)
        input.withUnsafeBufferPointer { buffer in
            _ = sodium_bin2base64(&output, capacity, buffer.baseAddress, buffer.count, variant.sodiumVariant)
        }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes public bytes; throws `invalidEncoding` on anything that is not canonical.
    package static func decode(_ text: String, _ variant: Variant = .standard) throws(CryptoError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(text.utf8.count, 1))
        let length = try output.withUnsafeMutableBytes { buffer in
            Result { () throws(CryptoError) in try decode(text, variant, into: buffer) }
        }.get()
        return Array(output.prefix(length))
    }

    /// Decodes secret bytes straight into guarded memory, so that no plain copy exists.
    package static func decodeSecret(_ text: String, _ variant: Variant = .standard) throws(CryptoError) -> SecretBytes {
        let scratch = try SecretBytes(count: max(text.utf8.count, 1)) { _ in }
        var length = 0
        try scratch.withUnsafeBytes { (buffer) throws(CryptoError) in
            length = try decode(text, variant, into: UnsafeMutableRawBufferPointer(mutating: buffer))
        }
        return try scratch.withUnsafeBytes { (buffer) throws(CryptoError) in
            try SecretBytes(copying: UnsafeRawBufferPointer(rebasing: buffer.prefix(length)))
        }
    }

    private static func decode(
        _ text: String,
        _ variant: Variant,
        into buffer: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) -> Int {
        try Sodium.ensureInitialized()
        // libsodium 1.0.18 reads the text as signed chars, so some non-ASCII bytes decode as
        // alphabet letters ("Ֆ" as "//"): a second text form for the same bytes. No base64
        // alphabet has a byte above 0x7F.
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else {
            throw CryptoError(.invalidEncoding, "not valid base64")
        }
        var length = 0
        let result = text.utf8CString.withUnsafeBufferPointer { textBuffer in
            sodium_base642bin(
                buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), buffer.count,
                textBuffer.baseAddress, textBuffer.count - 1,
                nil, &length, nil, variant.sodiumVariant
            )
        }
        try check(result, .invalidEncoding, "not valid base64")
        return length
    }
}
