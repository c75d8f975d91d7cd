import HandoffDomain
import Hummingbird
import NIOCore
import VaultStore

/// The per-request context: the authenticated caller, the client's address and the request id.
package struct VaultRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    /// Set by `BearerAuthMiddleware` when a valid token was presented.
    package var principal: Principal?
    /// The client address as limits, logs and the audit log record it: the TCP peer, or behind a
    /// trusted proxy the address it forwarded (`ClientAddressMiddleware`).
    package var remote: String
    /// The TCP peer's address.
    package let peer: String
    /// The id echoed in `X-Request-Id` and written to the audit log (Hummingbird's request id).
    package var requestId: String { id }

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
        peer = source.channel.remoteAddress?.ipAddress ?? "unknown"
        remote = peer
    }

    /// Bodies are collected explicitly with `VaultAPI.maximumBodySize`.
    package var maxUploadSize: Int { VaultAPI.maximumBodySize }
}
