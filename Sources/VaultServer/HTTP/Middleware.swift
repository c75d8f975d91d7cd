import Foundation
import HTTPTypes
import HandoffDomain
import Hummingbird
import Logging
import VaultCrypto
import VaultStore

/// Gives each request an id (in `X-Request-Id`), answers 429 to a network over the refusal limit
/// before anything else runs, turns every error into a problem document, counts refusals, adds
/// the security headers and logs one line per request — method, path, status, id; never headers
/// or bodies, so no token or value can reach the log.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = VaultRequestContext
    let metrics: VaultMetrics
    let refusals: RefusalLimiter
    let clock: @Sendable () -> Date

    /// Statuses that count against the caller's network: no or a wrong credential, a right one on
    /// the wrong route, an unknown handoff or path, and requests refused for the limit itself.
    static let refusalStatuses: Set<Int> = [401, 403, 404, 429]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        var response: Response
        var refusedPrincipal: Principal?
        do {
            // Probes stay answerable for load balancers; everything else waits out the window.
            if !Self.isProbe(request.uri.path), let retryAfter = refusals.retryAfter(context.remote, now: clock()) {
                throw APIProblem.rateLimited(retryAfter: retryAfter)
            }
            response = try await next(request, context)
        } catch {
            let problem = APIProblem.from(error)
            if problem.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": .string(String(describing: type(of: error)))])
            }
            refusedPrincipal = problem.refused
            response = try problem.response(from: request, context: context)
        }
        if Self.refusalStatuses.contains(response.status.code) {
            refusals.record(context.remote, .init(principal: refusedPrincipal, requestId: context.requestId), now: clock())
            metrics.requestRefused()
        }
        response.headers[Self.requestIdHeader] = context.requestId
        response.headers[.strictTransportSecurity] = "max-age=31536000"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        response.headers[.contentSecurityPolicy] = WebPage.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.referrerPolicyHeader] = "no-referrer"
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code)")
        metrics.request(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code,
            seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        )
        return response
    }

    static func isProbe(_ path: String) -> Bool { path == "/healthz" || path == "/readyz" }

    // Header names made once, not on every response.
    static let requestIdHeader = HTTPField.Name("X-Request-Id")!
    static let referrerPolicyHeader = HTTPField.Name("Referrer-Policy")!
}

/// Resolves `Authorization: Bearer …` to a principal. A missing header leaves the request
/// anonymous (routes decide); a bad token is refused here (counted by `ProblemMiddleware`).
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = VaultRequestContext
    let store: any HandoffStore
    let clock: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            return try await next(request, context)
        }
        var context = context
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIProblem.unauthenticated("the bearer token is unknown, revoked or expired")
        }
        let token = BearerToken(text: String(parts[1]))
        guard token.isWellFormed,
              let principal = try await store.principal(for: token, now: clock())
        else {
            throw APIProblem.unauthenticated("the bearer token is unknown, revoked or expired")
        }
        context.principal = principal
        return try await next(request, context)
    }
}
