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
