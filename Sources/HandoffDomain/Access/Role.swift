/// Who is calling, by the credential they present (DESIGN.md, "People and roles").
package enum Role: String, Sendable, CaseIterable {
    /// The customer's admin, holding one handoff's invite.
    case customer
    /// Altoura's package generator.
    case generator
    /// A security reviewer.
    case auditor
    /// Altoura's operator.
    case admin

    /// The readable prefix of this role's tokens, so that a leaked token is recognisable.
    package var tokenPrefix: String {
        switch self {
        case .customer: return "hv_inv_"
        case .generator: return "hv_gen_"
        case .auditor: return "hv_aud_"
        case .admin: return "hv_adm_"
        }
    }
}

/// The life of a handoff. `submitted` may repeat (the latest submission wins); `delivered` means
/// the generator's signed package is there for the customer.
package enum HandoffState: String, Sendable, CaseIterable {
    case invited, submitted, released, acknowledged, delivered, expired, revoked, purged

    /// Whether the customer may (re-)submit values. Re-submitting after acknowledgement or
    /// delivery is how the Teams app Object ID reaches the generator after Step 10.
    package var acceptsSubmissions: Bool {
        switch self {
        case .invited, .submitted, .released, .acknowledged, .delivered: return true
        case .expired, .revoked, .purged: return false
        }
    }

    /// Whether the generator may deliver a package now: once it has fetched the values.
    package var acceptsPackage: Bool {
        self == .released || self == .acknowledged || self == .delivered
    }

    /// Whether the handoff holds a submission the generator may fetch.
    package var hasSubmission: Bool {
        self == .submitted || self == .released || self == .acknowledged || self == .delivered
    }

    /// Whether the latest submission has been released to the generator already (fetching it
    /// again changes nothing).
    package var hasReleasedLatest: Bool { acceptsPackage }

    /// Whether the generator has something to fetch.
    package var awaitsGenerator: Bool { self == .submitted || self == .released }
}

/// An authenticated caller: the token's id and role, and for an invite, its handoff.
package struct Principal: Sendable, Equatable {
    package let tokenId: String
    package let role: Role
    /// Set only for `customer`: the one handoff this invite reaches.
    package let handoffId: String?

    /// Creates a principal.
    package init(tokenId: String, role: Role, handoffId: String?) {
        self.tokenId = tokenId
        self.role = role
        self.handoffId = handoffId
    }
}

// Codable (for the store's records) needs reflection, which Embedded Swift (the web page's
// WebAssembly build of these rules) does not have.
#if !hasFeature(Embedded)
extension Role: Codable {}
extension HandoffState: Codable {}
#endif
