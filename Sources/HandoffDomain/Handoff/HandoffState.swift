/// The life of a handoff: its states, what may happen to it in each (`HandoffAction`), by whom,
/// and the state it moves to. The stores, the routes, the CLI, the page (through its
/// WebAssembly) and the OpenAPI enum take it from here. `submitted` may repeat (the latest
/// submission wins); `delivered` means the generator's signed package is there for the customer.
package enum HandoffState: String, Sendable, CaseIterable {
    case invited, submitted, released, acknowledged, delivered, expired, revoked, purged

    /// Whether the customer may (re-)submit values. Re-submitting after acknowledgement or
    /// delivery is how the Teams app Object ID reaches the generator after Step 10.
    package var acceptsSubmissions: Bool { HandoffAction.submit.isAllowed(in: self) }

    /// Whether the generator may deliver a package now: once it has fetched the values.
    package var acceptsPackage: Bool { HandoffAction.deliverPackage.isAllowed(in: self) }

    /// Whether the handoff holds a submission the generator may fetch.
    package var hasSubmission: Bool { HandoffAction.release.isAllowed(in: self) }

    /// Whether the latest submission has been released to the generator already (fetching it
    /// again changes nothing).
    package var hasReleasedLatest: Bool { self == .released || self == .acknowledged || self == .delivered }

    /// Whether the generator has something to fetch.
    package var awaitsGenerator: Bool { self == .submitted || self == .released }

    /// Whether an invite past its expiry turns this state into `expired` (someone is still waiting).
    package var expiresWithInvite: Bool { HandoffAction.expire.isAllowed(in: self) }
}

/// What can happen to a handoff, who may do it, in which states, and what state follows.
package enum HandoffAction: String, Sendable, CaseIterable {
    /// The customer's admin sends (or replaces) the sealed values.
    case submit
    /// The generator fetches the latest submission.
    case release
    /// The generator says it built the package.
    case acknowledge
    /// The generator delivers the signed package.
    case deliverPackage
    /// The customer (or the generator, or an admin) fetches the delivered package.
    case fetchPackage
    /// Anyone with a part in the handoff reads its state.
    case readState
    /// An admin revokes the handoff; its sealed data is destroyed.
    case revoke
    /// The vault: the invite passed its expiry while someone was still waiting.
    case expire
    /// The vault: retention destroys the sealed data.
    case purge

    /// The roles whose tokens may ask for it (none: only the vault itself does it).
    package var roles: Set<Role> {
        switch self {
        case .submit: return [.customer]
        case .release, .acknowledge, .deliverPackage: return [.generator]
        case .fetchPackage: return [.customer, .generator, .admin]
        case .readState: return [.admin, .generator, .customer]
        case .revoke: return [.admin]
        case .expire, .purge: return []
        }
    }

    /// Whether it may happen to a handoff in `state`.
    package func isAllowed(in state: HandoffState) -> Bool {
        switch self {
        case .submit, .fetchPackage, .readState:
            return state == .invited || state == .submitted || state == .released || state == .acknowledged || state == .delivered
        case .release: return state == .submitted || state == .released || state == .acknowledged || state == .delivered
        case .acknowledge: return state == .released
        case .deliverPackage: return state == .released || state == .acknowledged || state == .delivered
        case .revoke: return state != .revoked && state != .purged
        case .expire: return state == .invited || state == .submitted || state == .released
        case .purge: return state == .acknowledged || state == .delivered || state == .expired || state == .revoked
        }
    }

    /// The state a handoff in `state` moves to when it happens (the same state where it changes nothing).
    package func state(after state: HandoffState) -> HandoffState {
        switch self {
        case .submit: return .submitted
        case .release: return state == .submitted ? .released : state
        case .acknowledge: return .acknowledged
        case .deliverPackage: return .delivered
        case .fetchPackage, .readState: return state
        case .revoke: return .revoked
        case .expire: return .expired
        case .purge: return .purged
        }
    }
}
