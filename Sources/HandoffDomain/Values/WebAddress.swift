/// The parts of an absolute `scheme://authority/rest` address that the rules look at.
///
/// Deliberately small and strict: printable ASCII only, no user info, a DNS name or bracketed
/// IPv6 literal as host. Anything else is refused rather than interpreted.
struct WebAddress: Equatable {
    /// The scheme, lowercased.
    let scheme: String
    /// The host as written (compare after lowercasing).
    let host: String
    /// The port, if one was written.
    let port: Int?
    /// Everything after the authority: path, query and fragment.
    let rest: String

    /// Why text is not an acceptable absolute address.
    enum Failure: Error, Equatable {
        case notPrintableASCII
        case notAbsolute
        case userInfo
        case badHost
        case badPort
    }

    var hasFragment: Bool { rest.utf8.contains(UInt8(ascii: "#")) }

    /// Where the first `://` is (by hand: the string algorithms live in a module that the
    /// web page's Embedded Swift build does not have).
    static func firstSchemeSeparator(in text: String) -> Range<String.Index>? {
        let bytes = text.utf8
        var index = bytes.startIndex
        while index < bytes.endIndex {
            var probe = index
            var matched = true
            for expected in "://".utf8 {
                guard probe < bytes.endIndex, bytes[probe] == expected else { matched = false; break }
                probe = bytes.index(after: probe)
            }
            if matched { return index..<probe }
            index = bytes.index(after: index)
        }
        return nil
    }

    /// Parses `text`, refusing what is not an absolute address.
    static func parse(_ text: String) -> Result<WebAddress, Failure> {
        guard text.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else { return .failure(.notPrintableASCII) }
        guard let separator = Self.firstSchemeSeparator(in: text) else { return .failure(.notAbsolute) }
        let scheme = String(text[..<separator.lowerBound])
        guard let first = scheme.first, first.isLetter,
              scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) })
        else { return .failure(.notAbsolute) }
        let afterScheme = text[separator.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { "/?#".contains($0) }) ?? afterScheme.endIndex
        let authority = String(afterScheme[..<authorityEnd])
        guard !authority.utf8.contains(UInt8(ascii: "@")) else { return .failure(.userInfo) }

        var host = authority
        var port: Int?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return .failure(.badHost) }
            host = String(authority[...close])
            let tail = authority[authority.index(after: close)...]
            if !tail.isEmpty {
                guard tail.hasPrefix(":") else { return .failure(.badPort) }
                port = try? parsePort(tail.dropFirst()).get()
                guard port != nil else { return .failure(.badPort) }
            }
            let literal = host.dropFirst().dropLast()
            guard !literal.isEmpty, literal.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return .failure(.badHost)
            }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                host = String(authority[..<colon])
                switch parsePort(authority[authority.index(after: colon)...]) {
                case .success(let value): port = value
                case .failure(let failure): return .failure(failure)
                }
            }
            guard isDNSName(host) else { return .failure(.badHost) }
        }
        return .success(WebAddress(
            scheme: scheme.lowercased(), host: host, port: port, rest: String(afterScheme[authorityEnd...])
        ))
    }

    private static func parsePort(_ text: Substring) -> Result<Int, Failure> {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCIIDigit }), let value = Int(text),
              (1...65535).contains(value)
        else { return .failure(.badPort) }
        return .success(value)
    }

    /// Letters, digits and hyphens in dot-separated labels of 1 to 63 characters.
    static func isDNSName(_ host: String) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
