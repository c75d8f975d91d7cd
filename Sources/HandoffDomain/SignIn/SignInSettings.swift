/// Altoura's multi-tenant sign-in app as an invite names it (`"signIn"`): the app's client ID and
/// the authority, with the Microsoft Graph and Azure Resource Manager bases the live check uses.
package struct SignInSettings: Sendable, Equatable {
    package static let defaultAuthority = "https://login.microsoftonline.com"
    package static let defaultGraph = "https://graph.microsoft.com"
    package static let defaultARM = "https://management.azure.com"

    package let clientId: String
    package let authority: String
    package let graph: String
    package let arm: String

    package init(clientId: String, authority: String = defaultAuthority, graph: String = defaultGraph, arm: String = defaultARM) {
        self.clientId = clientId.lowercased()
        self.authority = Self.trimmed(authority)
        self.graph = Self.trimmed(graph)
        self.arm = Self.trimmed(arm)
    }

    /// `{"clientId","authority","graph","arm"}`.
    package var jsonValue: JSONValue {
        ["clientId": .string(clientId), "authority": .string(authority), "graph": .string(graph), "arm": .string(arm)]
    }

    /// Reads an invite's `signIn`: a GUID client ID and https bases, or nil (refused).
    package init?(json: JSONValue) {
        guard let members = json.objectValue, Set(members.keys) == ["clientId", "authority", "graph", "arm"],
              let clientId = members["clientId"]?.stringValue, HandoffValues.isGUID(clientId), clientId == clientId.lowercased(),
              let authority = members["authority"]?.stringValue, Self.isBase(authority),
              let graph = members["graph"]?.stringValue, Self.isBase(graph),
              let arm = members["arm"]?.stringValue, Self.isBase(arm)
        else { return nil }
        self.init(clientId: clientId, authority: authority, graph: graph, arm: arm)
    }

    /// An https origin or base path, without a trailing slash, query or fragment.
    package static func isBase(_ text: String) -> Bool {
        text.hasPrefix("https://") && text.utf8.count > 8 && text.utf8.count <= 200 && !text.hasSuffix("/")
            && !text.contains("?") && !text.contains("#") && !text.contains(" ") && !text.contains("@")
    }

    private static func trimmed(_ text: String) -> String {
        var text = text
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}

/// Whether an invite asks for a tenant proof: `required` (the CLI and page never send without
/// one) or `optional` (offered).
package enum TenantProofPolicy: String, Sendable, CaseIterable {
    case required, optional
}
