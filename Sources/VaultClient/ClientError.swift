/// Why a call to the server failed, as data: what kind of failure, the URL it concerned, whether
/// the request left this machine, and the server's own words where it gave any. The CLI turns it
/// into a message in one place (`CLIError`). Nothing here ever holds the token or a value.
package struct ClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Stable codes; the CLI maps each to one exit status.
    package enum Code: String, Sendable, CaseIterable {
        /// No connection could be made (refused, unknown host, timed out); nothing was sent.
        case unreachable = "client.unreachable"
        /// The connection was made but no TLS session came up (a plain-HTTP port, or the server
        /// closed during the handshake); nothing was sent.
        case noTLS = "client.no_tls"
        /// The server's TLS certificate is not trusted; nothing was sent.
        case untrustedCertificate = "client.untrusted_certificate"
        /// The connection broke or timed out after the request was sent; it may have arrived.
        case connectionLost = "client.connection_lost"
        /// The server refused the credential (401).
        case notAuthenticated = "client.not_authenticated"
        /// The server refused the role or the handoff (403, 404 for another handoff).
        case notAllowed = "client.not_allowed"
        /// What was asked for is not there yet (the package before Altoura delivers it); try later.
        case notReady = "client.not_ready"
        /// The server asks this address to wait (429 for refusals).
        case rateLimited = "client.rate_limited"
        /// The server refused the request's data or state (400, 409, 413, 415, 422, 429 for a limit).
        case rejected = "client.rejected"
        /// The server failed (5xx).
        case serverFailure = "client.server_failure"
        /// The server's answer is not what the API promises.
        case malformedResponse = "client.malformed_response"
        /// A setting cannot be used (the server URL, the CA file, the proxy); nothing was sent.
        case unusableSetting = "client.unusable_setting"
    }

    /// Why a connection could not be made.
    package enum ConnectFailure: String, Sendable {
        case refused, unknownHost, timedOut, other
    }

    package let code: Code
    /// The HTTP status, when there was one (for `--json` and tests; messages do not show it).
    package let status: Int?
    /// What went wrong, in this layer's words (or the server's problem detail).
    package let reason: String
    /// The URL the request went to, when the network was involved.
    package var url: String?
    /// For `unreachable`: why no connection came up.
    package var connectFailure: ConnectFailure?
    /// For `rateLimited`: the server's `Retry-After`, in seconds.
    package var retryAfter: Int?
    /// The server's problem code (`store.limit_reached`, …), when it sent one.
    package var problemCode: String?
    /// Whether the request carried an invite's token (a customer admin is reading), not a role token.
    package var forInvite = false

    package init(_ code: Code, status: Int? = nil, _ reason: String) {
        self.code = code
        self.status = status
        self.reason = reason
    }

    /// Whether the request may have reached the server (and so may have changed something).
    package var mayHaveBeenSent: Bool {
        switch code {
        case .unreachable, .noTLS, .untrustedCertificate, .unusableSetting: return false
        default: return true
        }
    }

    package var description: String { "\(code.rawValue): \(reason)" }
}
