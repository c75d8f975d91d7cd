import HandoffDomain

/// The customer's next step at each state of their handoff: the domain's words
/// (`HandoffState.guidance`, the same the page shows), with the command that does it.
enum NextStep {
    /// Where the handoff stands, then the customer's next step and its command.
    static func text(for state: HandoffState, packageDelivered: Bool = false) -> String {
        let guidance = state.guidance(packageDelivered: packageDelivered)
        var text = "\(guidance.status) Next: \(lowercasedFirst(guidance.next))"
        if !packageDelivered || state == .delivered, let command = command(for: state) { text += " (\(command))" }
        return text
    }

    /// The same for a handoff as the server shows it.
    static func text(for handoff: HandoffSummary) -> String {
        text(for: handoff.state, packageDelivered: handoff.packageDelivered)
    }

    /// The command of the next step, where there is one.
    private static func command(for state: HandoffState) -> String? {
        switch state {
        case .invited: return "handoff submit --values values.json --invite-file invite.txt"
        case .submitted: return nil
        case .acknowledged: return "handoff package fetch --out DIR --values values.json"
        case .delivered:
            return "handoff package fetch --out DIR --values values.json; after Step 10, handoff submit --object-id <the app's Object ID>"
        case .released, .expired, .revoked, .purged: return nil
        }
    }

    private static func lowercasedFirst(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }
}
