import HandoffDomain
import Testing

/// The handoff's life, written out as a table here so that a change to `HandoffAction` is a
/// deliberate one (the stores, routes, CLI and page all follow it).
@Suite("Handoff life")
struct HandoffLifeTests {
    /// Each action: who may ask, and the state it leads to from each state where it is allowed.
    static let table: [HandoffAction: (roles: Set<Role>, moves: [HandoffState: HandoffState])] = [
        .submit: ([.customer], [.invited: .submitted, .submitted: .submitted, .released: .submitted, .acknowledged: .submitted, .delivered: .submitted]),
        .release: ([.generator], [.submitted: .released, .released: .released, .acknowledged: .acknowledged, .delivered: .delivered]),
        .acknowledge: ([.generator], [.released: .acknowledged]),
        .deliverPackage: ([.generator], [.released: .delivered, .acknowledged: .delivered, .delivered: .delivered]),
        .fetchPackage: ([.customer, .generator, .admin], [.invited: .invited, .submitted: .submitted, .released: .released, .acknowledged: .acknowledged, .delivered: .delivered]),
        .readState: ([.admin, .generator, .customer], [.invited: .invited, .submitted: .submitted, .released: .released, .acknowledged: .acknowledged, .delivered: .delivered]),
        .revoke: ([.admin], [.invited: .revoked, .submitted: .revoked, .released: .revoked, .acknowledged: .revoked, .delivered: .revoked, .expired: .revoked]),
        .expire: ([], [.invited: .expired, .submitted: .expired, .released: .expired]),
        .purge: ([], [.acknowledged: .purged, .delivered: .purged, .expired: .purged, .revoked: .purged]),
    ]

    @Test("Every action is allowed in exactly the table's states, by the table's roles, and leads where the table says")
    func transitions() {
        #expect(Set(Self.table.keys) == Set(HandoffAction.allCases))
        for action in HandoffAction.allCases {
            let expected = Self.table[action]!
            #expect(action.roles == expected.roles, "\(action)")
            for state in HandoffState.allCases {
                #expect(action.isAllowed(in: state) == (expected.moves[state] != nil), "\(action) in \(state)")
                if let next = expected.moves[state] { #expect(action.state(after: state) == next, "\(action) from \(state)") }
            }
        }
    }

    @Test("Purged is the end: nothing but reading leads out of it, and every state has the customer's words")
    func ends() {
        #expect(HandoffAction.allCases.filter { $0.isAllowed(in: .purged) }.isEmpty)
        for state in HandoffState.allCases {
            #expect(!state.guidance.status.isEmpty && !state.guidance.next.isEmpty)
            #expect(!(state.guidance.status + state.guidance.next).contains("--"), "tool-neutral: no command line in the domain's words (\(state))")
        }
    }
}
