import Foundation

extension HandoffState {
    /// The state as of `now`: a handoff still waiting on someone is `expired` once its invite is
    /// past `expiresAt` (stored states never say expired; every store derives it the same way).
    package func effective(expiresAt: Date, at now: Date) -> HandoffState {
        now >= expiresAt && expiresWithInvite ? HandoffAction.expire.state(after: self) : self
    }

    /// Whether the invite's customer may still call: before expiry and in a state that takes values.
    package func acceptsCustomer(expiresAt: Date, at now: Date) -> Bool {
        now < expiresAt && effective(expiresAt: expiresAt, at: now).acceptsSubmissions
    }
}
