import Foundation
import HTTPTypes
import HandoffDomain
import Hummingbird
import Logging
import VaultCrypto
import VaultStore

/// Logs one line per request — method, path, status, id; never headers or bodies, so no token
/// or value can reach the log — and counts it with its duration for `/metrics`. Outermost: it sees
/// every answer, problem documents included.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = VaultRequestContext
    let metrics: VaultMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let response = try await next(request, context)
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code)")
        metrics.request(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code,
            seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        )
        return response
    }
}

/// Gives every answer its request id (`X-Request-Id`) and the security headers: HSTS, the strict
/// content security policy, no sniffing, no referrer, and `no-store` unless the route chose a
/// cache policy.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = VaultRequestContext
    /// The content security policy (`WebPage.policy`).
    let policy: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[Self.requestIdHeader] = context.requestId
        response.headers[.strictTransportSecurity] = "max-age=31536000"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        response.headers[.contentSecurityPolicy] = policy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.referrerPolicyHeader] = "no-referrer"
        return response
    }

    // Header names made once, not on every response.
    static let requestIdHeader = HTTPField.Name("X-Request-Id")!
    static let referrerPolicyHeader = HTTPField.Name("Referrer-Policy")!
}

/// Turns every error into a problem document (`APIProblem`, the one map from errors to HTTP);
/// a 5xx is logged by its error type only.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = VaultRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = APIProblem.from(error)
            if problem.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": .string(String(describing: type(of: error)))])
            }
            return try problem.response(from: request, context: context)
        }
    }
}

/// Answers 429 to a client network over the refusal limit before anything else runs (probes
/// excepted), and counts every refusal — no or a wrong credential, a right one on the wrong route,
/// an unknown handoff or path, the limit itself — against the caller's network, for the limit and
/// for the audit (`TallyAuditService`).
struct RefusalMiddleware: RouterMiddleware {
    typealias Context = VaultRequestContext
    let metrics: VaultMetrics
    let refusals: RefusalLimiter
    let clock: @Sendable () -> Date

    /// Statuses that count against the caller's network.
    static let refusalStatuses: Set<Int> = [401, 403, 404, 429]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            if !Self.isProbe(request.uri.path), let retryAfter = refusals.retryAfter(context.remote, now: clock()) {
                throw APIProblem.rateLimited(retryAfter: retryAfter)
            }
            let response = try await next(request, context)
            if Self.refusalStatuses.contains(response.status.code) { record(context, principal: nil) }
            return response
        } catch {
            let problem = APIProblem.from(error)
            if Self.refusalStatuses.contains(problem.status.code), !Self.isNotYet(problem) { record(context, principal: problem.refused) }
            throw error
        }
    }

    private func record(_ context: Context, principal: Principal?) {
        refusals.record(context.remote, .init(principal: principal, requestId: context.requestId), now: clock())
        metrics.requestRefused()
    }

    static func isProbe(_ path: String) -> Bool { path == "/healthz" || path == "/readyz" }

    /// A 404 that says "not yet" (no package delivered yet) to a caller allowed to ask about that
    /// handoff: an answer, not a refusal — the generator asks it before every first delivery.
    static func isNotYet(_ problem: APIProblem) -> Bool { problem.code == StoreError.Code.notReady.rawValue }
}

/// Resolves `Authorization: Bearer …` to a principal. A missing header leaves the request
/// anonymous (routes decide); a bad token is refused here (counted by `RefusalMiddleware`).
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
