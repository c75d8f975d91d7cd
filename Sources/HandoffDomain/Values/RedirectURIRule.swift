/// Entra's reply-URL restrictions, as the redirect URIs must satisfy them.
enum RedirectURIRule {
    static let maximumCount = 256
    static let maximumLength = 256
    static let forbiddenCharacters: Set<Character> = ["!", "$", "'", "(", ")", ",", ";"]

    /// The problems with one redirect URI (its 1-based position in the list is `number`).
    static func problems(_ uri: String, number: Int) -> [String] {
        let label = "redirect URI \(number)"
        guard uri.count <= maximumLength else {
            return ["\(label) is \(uri.count) characters long; Entra allows at most \(maximumLength)"]
        }
        let address: WebAddress
        switch WebAddress.parse(uri) {
        case .success(let parsed): address = parsed
        case .failure(.notPrintableASCII):
            return ["\(label) contains a space, a control character or a non-ASCII character"]
        case .failure(.notAbsolute): return ["\(label) is not an absolute URI (scheme://host/path)"]
        case .failure(.userInfo): return ["\(label) must not contain user information (user@host)"]
        case .failure(.badHost): return ["\(label) has no valid host name"]
        case .failure(.badPort): return ["\(label) has an invalid port"]
        }
        var problems: [String] = []
        let isLocalhost = address.host.lowercased() == "localhost"
        switch address.scheme {
        case "https": break
        case "http" where isLocalhost: break
        case "http": problems.append("\(label) uses http; only https is allowed, or http for localhost")
        default: problems.append("\(label) uses the scheme \(address.scheme); only https is allowed")
        }
        if address.hasFragment {
            problems.append("\(label) has a fragment (#…), which Entra does not allow")
        }
        let forbidden = Set(uri).intersection(forbiddenCharacters)
        if !forbidden.isEmpty {
            let listed = forbidden.sorted().map { "'\($0)'" }.joined(separator: " ")
            problems.append("\(label) contains \(listed), which Entra does not allow in reply URLs")
        }
        return problems
    }
}
