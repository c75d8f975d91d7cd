import HandoffDomain
import Hummingbird
import NIOCore
import VaultCrypto
import VaultStore

/// An RFC 9457 problem document: every error the API answers with. Built from lower layers'
/// errors in `APIProblem.from(_:)`, the one place that picks statuses.
package struct APIProblem: Error, HTTPResponseError, Sendable {
    /// The HTTP status.
    package let status: HTTPResponse.Status
    /// A stable machine code, also the last part of `type`.
    package let code: String
    /// A short summary that does not change between occurrences.
    package let title: String
    /// This occurrence, for people. Never holds a token, key or value.
    package let detail: String
    /// Extra headers (for example `WWW-Authenticate`).
    package var headers: HTTPFields = [:]
    /// For a refusal of an authenticated caller (wrong role or handoff): who it was, for the
    /// aggregated audit event. Never sent.
    var refused: Principal?

    /// Creates a problem.
    package init(_ status: HTTPResponse.Status, code: String, title: String, detail: String) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
    }

    /// This problem, marked as the refusal of `principal`.
    func refusing(_ principal: Principal) -> APIProblem {
        var problem = self
        problem.refused = principal
        return problem
    }

    static func unauthenticated(_ detail: String) -> APIProblem {
        var problem = APIProblem(.unauthorized, code: "auth.unauthenticated", title: "Authentication required", detail: detail)
        problem.headers[.wwwAuthenticate] = "Bearer"
        return problem
    }

    static func rateLimited(retryAfter: Int) -> APIProblem {
        var problem = APIProblem(.tooManyRequests, code: "auth.rate_limited", title: "Too many refused requests",
                                 detail: "too many refused requests from this address; try again in \(retryAfter) s")
        problem.headers[.retryAfter] = String(retryAfter)
        return problem
    }

    static func forbidden(_ detail: String) -> APIProblem {
        APIProblem(.forbidden, code: "auth.forbidden", title: "Not allowed for this role", detail: detail)
    }

    static func notFound(_ detail: String = "no such resource") -> APIProblem {
        APIProblem(.notFound, code: "http.not_found", title: "Not found", detail: detail)
    }

    static let bodyIncomplete = APIProblem(
        .requestTimeout, code: "http.body_incomplete", title: "Request body incomplete",
        detail: "the body did not arrive in full; the connection was closed"
    )
    static let tooLarge = APIProblem(
        .contentTooLarge, code: "http.too_large", title: "Request body too large",
        detail: "request bodies are limited to \(VaultAPI.maximumBodySize / 1024) KiB"
    )

    static func badRequest(_ code: String, _ detail: String) -> APIProblem {
        APIProblem(.badRequest, code: code, title: "Bad request", detail: detail)
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: JSONValue = [
            "type": .string("urn:handoff-vault:problem:\(code)"),
            "title": .string(title),
            "status": .integer(Int64(status.code)),
            "detail": .string(detail),
            "code": .string(code),
        ]
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: CanonicalJSON.encode(body))))
    }

    /// Maps any error to a problem. Unknown errors become a 500 that says nothing of their content.
    package static func from(_ error: any Error) -> APIProblem {
        switch error {
        case let problem as APIProblem:
            return problem
        case let error as StoreError:
            switch error.code {
            case .notFound: return .notFound(error.reason)
            case .notReady: return APIProblem(.notFound, code: error.code.rawValue, title: "Not ready yet", detail: error.reason)
            case .conflict: return APIProblem(.conflict, code: error.code.rawValue, title: "Not possible in this state", detail: error.reason)
            case .noRecipientKey: return APIProblem(.conflict, code: error.code.rawValue, title: "No generator key registered", detail: error.reason)
            case .recipientMismatch: return APIProblem(.unprocessableContent, code: error.code.rawValue, title: "Sealed to the wrong key", detail: error.reason)
            case .signatureInvalid: return APIProblem(.unprocessableContent, code: error.code.rawValue, title: "Signature does not verify", detail: error.reason)
            case .limitReached: return APIProblem(.tooManyRequests, code: error.code.rawValue, title: "Limit reached", detail: error.reason)
            case .recordCorrupt:
                return APIProblem(.internalServerError, code: error.code.rawValue, title: "Stored record failed its integrity check", detail: error.reason)
            case .alreadyInitialized, .keysUnavailable, .storageFailure:
                var problem = APIProblem(.serviceUnavailable, code: error.code.rawValue, title: "Storage unavailable", detail: "the change was not made; try again in a few seconds")
                problem.headers[.retryAfter] = "2"
                return problem
            }
        case is NIOTooManyBytesError:
            return .tooLarge
        case let error as HTTPError:
            switch error.status {
            case .contentTooLarge: return .tooLarge
            case .notFound: return .notFound()
            case .methodNotAllowed:
                return APIProblem(.methodNotAllowed, code: "http.method_not_allowed", title: "Method not allowed", detail: "this path does not accept that method")
            default:
                return APIProblem(error.status, code: "http.\(error.status.code)", title: error.status.reasonPhrase, detail: error.status.reasonPhrase)
            }
        default:
            return APIProblem(.internalServerError, code: "server.internal", title: "Internal error", detail: "the request failed inside the server; it was not applied")
        }
    }
}
