/// What every fuzz target shares: the libFuzzer input as bytes, and how a broken property fails.
///
/// The targets are compiled into the `HandoffDomain` module itself (see scripts/fuzz/parsers.sh), so
/// they reach internal parsers such as `ACSConnectionString` without widening their access.
enum FuzzInput {
    /// The input bytes libFuzzer hands over.
    static func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// The input as text when it is valid UTF-8 (the parsers take Swift strings).
    static func text(_ bytes: [UInt8]) -> String? {
        String(validating: bytes, as: UTF8.self)
    }
}

/// Stops the fuzzer with `message`: libFuzzer keeps the input that broke the property.
func propertyBroken(_ message: String) -> Never {
    fatalError("fuzz property broken: \(message)")
}

/// The access key's leak check, done differentially so that a key which happens to spell words of
/// the fixed messages ("accesskey=") is not taken for a leak: the same input is checked again with
/// each access key replaced by a look-alike of the same length and base64 shape (letters ROT13,
/// digits +5). Problem text that quotes the replacement in that run but not in the original run
/// depends on the key's bytes: a leak.
enum AccessKeyCanary {
    /// `connectionString` with every `accesskey=` value replaced, and the replacements.
    static func replacing(in connectionString: String) -> (text: String, keys: [Substring]) {
        var keys: [Substring] = []
        let pairs = connectionString.split(separator: ";", omittingEmptySubsequences: false).map { pair -> String in
            guard let equals = pair.firstIndex(of: "="), pair[..<equals].lowercased() == "accesskey" else { return String(pair) }
            let key = String(pair[pair.index(after: equals)...].unicodeScalars.map(lookAlike))
            keys.append(Substring(key))
            return pair[...equals] + key
        }
        return (pairs.joined(separator: ";"), keys)
    }

    /// Whether `messages` (from the replaced input) quote a replacement key that `original` (from
    /// the original input) does not.
    static func leaks(_ keys: [Substring], messages: [String], original: [String]) -> Bool {
        keys.contains { key in
            let needle = Array(key.utf8)
            return needle.count >= 8 && messages.contains { quotes($0, needle) } && !original.contains { quotes($0, needle) }
        }
    }

    /// Whether `text`'s UTF-8 bytes hold `needle`: a byte search, because Foundation's
    /// `contains(_:)` on a `Substring` trapped in `_toUTF16Indices` for an input holding NULs
    /// (Fuzz/Regressions/connection-string/foundation-contains-trap).
    static func quotes(_ text: String, _ needle: [UInt8]) -> Bool {
        let haystack = Array(text.utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        return (0...(haystack.count - needle.count)).contains { start in haystack[start..<(start + needle.count)].elementsEqual(needle) }
    }

    private static func lookAlike(_ scalar: Unicode.Scalar) -> Character {
        let value = scalar.value
        switch scalar {
        case "a"..."z": return Character(Unicode.Scalar((value - 97 + 13) % 26 + 97)!)
        case "A"..."Z": return Character(Unicode.Scalar((value - 65 + 13) % 26 + 65)!)
        case "0"..."9": return Character(Unicode.Scalar((value - 48 + 5) % 10 + 48)!)
        default: return Character(scalar)
        }
    }
}
