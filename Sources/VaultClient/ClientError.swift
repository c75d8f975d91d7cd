/// Why a call to the server failed. Messages never include the token or any value.
public struct ClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Stable codes; the CLI maps each to one exit status.
    public enum Code: String, Sendable {
        /// No connection (refused, timed out, DNS).
        case unreachable = "client.unreachable"
        /// The server's TLS certificate is not trusted.
        case untrustedCertificate = "client.untrusted_certificate"
        /// The server refused the credential or the role (401, 403, 404 for another handoff).
        case notAllowed = "client.not_allowed"
        /// The server refused the request's data (400, 409, 413, 415, 422).
        case rejected = "client.rejected"
        /// The server is overloaded or failed (429, 5xx).
        case serverFailure = "client.server_failure"
        /// The server's answer is not what the API promises.
        case malformedResponse = "client.malformed_response"
        /// A setting cannot be used (the server URL, the CA file, the proxy); nothing was sent.
        case unusableSetting = "client.unusable_setting"
    }

    public let code: Code
    /// The HTTP status, when there was one.
    public let status: Int?
    /// What went wrong, with the server's problem detail when it sent one.
    public let reason: String

    public init(_ code: Code, status: Int? = nil, _ reason: String) {
        self.code = code
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
