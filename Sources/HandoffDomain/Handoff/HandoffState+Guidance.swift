/// Where a handoff stands and what its customer admin does next, in the words of the deployment
/// steps (Steps 6–10): one wording for the CLI and the page (which adds its own controls' names).
package struct CustomerGuidance: Sendable, Equatable {
    /// Where the handoff stands, one or two plain sentences.
    package let status: String
    /// What to do next, tool-neutral.
    package let next: String
}

extension CustomerGuidance {
    /// What the customer admin does once the package is there: Steps 9 and 10 of the deployment
    /// steps, one action each (the CLI prints them; the page shows them as a checklist).
    package static let afterDelivery: [String] = [
        "Step 9: in Teams Admin Center → Teams apps → Manage apps, choose Upload new app and upload the .zip.",
        "Step 9: confirm the app's status is Allowed, and add it to a setup policy's Meeting Extensions (it can take 24–48 hours to reach everyone).",
        "Step 10: in Manage apps, open the app and copy its Object ID.",
        "Step 10: in Entra admin center → App registrations → your app → Expose an API → Authorized client applications, add the Object ID with the access_as_user scope.",
        "Step 10: under API permissions, choose Grant admin consent, and check that every permission shows Granted.",
        "Step 10: send Altoura the Object ID.",
    ]
}

extension HandoffState {
    /// The customer's view of this state before any package was delivered.
    package var guidance: CustomerGuidance { guidance(packageDelivered: false) }

    /// The customer's view of this state; once a package was delivered, a submission is the
    /// Step 10 Object ID and the words say so (no package is built for it).
    package func guidance(packageDelivered: Bool) -> CustomerGuidance {
        if packageDelivered, let afterStep10 = afterStep10 { return afterStep10 }
        switch self {
        case .invited:
            return CustomerGuidance(status: "Altoura is waiting for your Step 6 values.", next: "Fill in your values and send them.")
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
                next: CustomerGuidance.afterDelivery.joined(separator: " ")
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

extension HandoffState {
    /// The words for a submission after the package was delivered: the Step 10 Object ID.
    private var afterStep10: CustomerGuidance? {
        switch self {
        case .submitted:
            return CustomerGuidance(
                status: "Your Teams app's Object ID (Step 10) is with the vault, sealed; Altoura has not picked it up yet.",
                next: "Nothing more to do unless Altoura asks; your Teams app package stays as it is."
            )
        case .released, .acknowledged:
            return CustomerGuidance(
                status: "Altoura has picked up your Teams app's Object ID (Step 10): your part of the setup is done.",
                next: "Nothing more to do; open the app in Teams to try it."
            )
        default:
            return nil
        }
    }
}
