/// The fields of a values document, their order, and the hint shown when one is wrong.
package enum ValueField: String, CaseIterable, Sendable {
    case clientId
    case tenantId
    case redirectUris
    case applicationIdUri
    case scope
    case acsConnectionString
    case acsEndpoint
    case teamsAppObjectId

    /// Whether a document must contain the field.
    package var isRequired: Bool { self != .teamsAppObjectId }

    /// The field's name as the admin sees it: the portal's label (the page's form labels).
    package var label: String {
        switch self {
        case .clientId: return "Application (client) ID"
        case .tenantId: return "Directory (tenant) ID"
        case .redirectUris: return "Redirect URIs (one per line)"
        case .applicationIdUri: return "Application ID URI"
        case .scope: return "Scope"
        case .acsConnectionString: return "Communication Services connection string"
        case .acsEndpoint: return "Communication Services endpoint"
        case .teamsAppObjectId: return "Teams app Object ID (Step 10)"
        }
    }

    /// Whether the value is a credential (never shown, never kept by a browser).
    package var isSecret: Bool { self == .acsConnectionString }

    /// Whether the value is a list (one item per line in a form).
    package var isList: Bool { self == .redirectUris }

    /// Where the customer admin finds the right value (DOMAIN-RULES.md).
    /// With `clientId` known (valid), the Application ID URI hint names the exact URI to set.
    package func hint(_ rules: ValueRules, clientId: String? = nil) -> String {
        switch self {
        case .clientId: return "copy Application (client) ID from App registration → Overview"
        case .tenantId: return "copy Directory (tenant) ID from App registration → Overview"
        case .teamsAppObjectId: return "the Teams app's Object ID from Teams Admin Center → Manage apps (Step 10)"
        case .applicationIdUri:
            return "Teams sign-in will fail with AADSTS500011 (resource principal not found): set the Application ID URI to api://\(rules.hostingDomain)/\(clientId ?? "<your Application (client) ID>")"
        case .scope: return "Expose an API → Add a scope → Scope name: access_as_user"
        case .redirectUris: return "Authentication → the callback URI that Altoura provided"
        case .acsConnectionString: return "Communication Services resource → Keys → Connection string (copy the whole value)"
        case .acsEndpoint:
            return "Communication Services resource → Keys → Endpoint; it must be the same resource as the connection string"
        }
    }

    /// The known field closest to an unknown name, for the typo guard: same letters in another
    /// case, or at most two edits away.
    package static func closest(to name: String) -> ValueField? {
        let lowered = name.lowercased()
        if let sameLetters = allCases.first(where: { $0.rawValue.lowercased() == lowered }) {
            return sameLetters
        }
        let ranked = allCases
            .map { ($0, EditDistance.between($0.rawValue.lowercased(), lowered)) }
            .min { $0.1 < $1.1 }
        guard let (field, distance) = ranked, distance <= 2 else { return nil }
        return field
    }

}

/// Settings the rules depend on.
package struct ValueRules: Sendable, Equatable {
    /// Altoura's SaaS host: the Application ID URI's host and the Teams tabs' domain.
    package var hostingDomain: String

    /// The rules with the given hosting domain (lowercased).
    package init(hostingDomain: String = ValueRules.defaultHostingDomain) {
        self.hostingDomain = hostingDomain.lowercased()
    }

    /// `altouraremoteacs.azurewebsites.net`, from the deployment steps.
    package static let defaultHostingDomain = "altouraremoteacs.azurewebsites.net"

    /// The rules as deployed by default.
    package static let standard = ValueRules()
}
