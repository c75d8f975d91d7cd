/// Where a handoff stands and what its customer admin does next, in the words of the deployment
/// steps (Steps 6–10): one wording for the CLI and the page (which adds its own controls' names).
package struct CustomerGuidance: Sendable, Equatable {
    /// Where the handoff stands, one or two plain sentences.
    package let status: String
    /// What to do next, tool-neutral.
    package let next: String
}

extension HandoffState {
    /// The customer's view of this state.
    package var guidance: CustomerGuidance {
        switch self {
        case .invited:
            return CustomerGuidance(status: "Altoura is waiting for your Step 6 values.", next: "Validate and send your values.")
        case .submitted:
            return CustomerGuidance(
                status: "Your values are with the vault, sealed; Altoura's package generator has not fetched them yet.",
                next: "Wait for Altoura to build your Teams app package (Step 8); until then you can send the values again to replace them."
            )
        case .released:
            return CustomerGuidance(
                status: "Altoura's package generator has fetched your values and is building your tenant-specific Teams app package (Step 8).",
                next: "Wait for the package."
            )
        case .acknowledged:
            return CustomerGuidance(
                status: "Altoura has built your Teams app package (Step 8) and will deliver it here, signed.",
                next: "Wait for the package, then download it; its signature is checked before it is saved."
            )
        case .delivered:
            return CustomerGuidance(
                status: "Your signed Teams app package is ready (Step 9).",
                next: "Upload the .zip in Teams Admin Center → Teams apps → Manage apps → Upload new app, and confirm its status is Allowed. "
                    + "Then (Step 10) copy the app's Object ID, add it in Entra admin center → App registrations → Expose an API → "
                    + "Authorized client applications with the access_as_user scope, grant admin consent under API permissions, "
                    + "and send the Object ID back with your values."
            )
        case .expired:
            return CustomerGuidance(
                status: "This invite has expired; the vault accepts nothing more through it.", next: "Ask your Altoura contact for a new invite."
            )
        case .revoked:
            return CustomerGuidance(
                status: "Altoura revoked this handoff; its sealed values are destroyed.", next: "Ask your Altoura contact if a new invite is needed."
            )
        case .purged:
            return CustomerGuidance(
                status: "This handoff is finished and its sealed values are destroyed, as the retention policy says.", next: "Nothing more to do here."
            )
        }
    }
}
