import HandoffDomain

/// What a customer admin does next at each state of their handoff, in the words of the deployment
/// steps (Steps 8–10).
enum NextStep {
    /// Where the handoff stands, then the customer's next step.
    static func text(for state: HandoffState, hasObjectId: Bool = false) -> String {
        switch state {
        case .invited:
            return "Altoura is waiting for your Step 6 values. Next: handoff submit --values values.json --invite-file invite.txt"
        case .submitted:
            return "Your values are with the vault, sealed; Altoura's package generator has not fetched them yet. "
                + "Next: wait for Altoura to build your Teams app package (Step 8); you can submit again to replace the values until then."
        case .released:
            return "Altoura's package generator has fetched your values and is building your tenant-specific Teams app package (Step 8). "
                + "Next: wait for the package."
        case .acknowledged:
            return "Altoura has built your Teams app package (Step 8) and will deliver it here, signed. Next: wait for the package, "
                + "then run handoff package fetch --out DIR --values values.json."
        case .delivered:
            return "Your signed Teams app package is ready (Step 9): handoff package fetch --out DIR --values values.json saves it after "
                + "checking Altoura's signature. Next: upload the .zip in Teams Admin Center → Teams apps → Manage apps → Upload new app, "
                + "and confirm its status is Allowed. Then (Step 10) copy the app's Object ID, add it in Entra admin center → App "
                + "registrations → Expose an API → Authorized client applications with the access_as_user scope, grant admin consent "
                + "under API permissions, and send the Object ID back: add \"teamsAppObjectId\" to values.json and run handoff submit again."
        case .expired:
            return "This invite has expired; the vault accepts nothing more through it. Next: ask your Altoura contact for a new invite."
        case .revoked:
            return "Altoura revoked this handoff; its sealed values are destroyed. Next: ask your Altoura contact if a new invite is needed."
        case .purged:
            return "This handoff is finished and its sealed values are destroyed, as the retention policy says. Nothing more to do here."
        }
    }
}
