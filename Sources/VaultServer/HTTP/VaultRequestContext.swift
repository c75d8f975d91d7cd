import HandoffDomain
import Hummingbird
import NIOCore
import VaultStore

/// The per-request context: the authenticated caller, the client's address and the request id.
package struct VaultRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    /// Set by `BearerAuthMiddleware` when a valid token was presented.
    package var principal: Principal?
    /// The client address as the audit log records it.
    package let remote: String
    /// The id echoed in `X-Request-Id` and written to the audit log (Hummingbird's request id).
    package var requestId: String { id }

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
        remote = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Bodies are collected explicitly with `VaultAPI.maximumBodySize`.
    package var maxUploadSize: Int { VaultAPI.maximumBodySize }
}
