/// How a pasted credential (an invite code, a token file) is cleaned before it is read: what copy
/// and paste, e-mail clients and Notepad add to it is removed, and nothing else is changed. A
/// credential never holds whitespace, quotes or a byte order mark, so removing them cannot turn
/// one valid credential into another.
package enum PastedCredential {
    /// `text` without a byte order mark, without any space, tab, CR or LF (mail clients wrap long
    /// lines at 76 columns), and without one pair of surrounding quotes.
    package static func cleaned(_ text: String) -> String {
        // Nearly always (a token on every request) there is nothing to clean: printable ASCII
        // without spaces, not opening with a quote. Anything else goes the scalar-wise way.
        if let first = text.utf8.first, quotePairs[Unicode.Scalar(first)] == nil, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            return text
        }
        var scalars = Array(text.unicodeScalars.filter { !ignorable.contains($0) })
        if let first = scalars.first, let last = scalars.last, scalars.count >= 2,
           let closing = quotePairs[first], closing == last {
            scalars = Array(scalars.dropFirst().dropLast())
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    private static let ignorable: Set<Unicode.Scalar> = [" ", "\t", "\r", "\n", "\u{FEFF}", "\u{00A0}"]
    private static let quotePairs: [Unicode.Scalar: Unicode.Scalar] = [
        "\"": "\"", "'": "'", "`": "`", "\u{201C}": "\u{201D}", "\u{2018}": "\u{2019}", "\u{00AB}": "\u{00BB}",
    ]
}
