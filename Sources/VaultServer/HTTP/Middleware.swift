import Foundation
import HandoffDomain
import Hummingbird
import Logging
import VaultCrypto
import VaultStore

/// Gives each request an id (in `X-Request-Id`), turns every error into a problem document, adds
/// the security headers and logs one line per request — method, path, status, id; never headers
/// or bodies, so no token or value can reach the log.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = VaultRequestContext
    let metrics: VaultMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let problem = APIProblem.from(error)
            if problem.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": .string(String(describing: type(of: error)))])
            }
            response = try problem.response(from: request, context: context)
        }
        response.headers[.init("X-Request-Id")!] = context.requestId
        response.headers[.strictTransportSecurity] = "max-age=31536000"
        response.headers[.cacheControl] = "no-store"
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code)")
        metrics.request(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code,
            seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        )
        return response
    }
}

/// Resolves `Authorization: Bearer …` to a principal. A missing header leaves the request
/// anonymous (routes decide); a bad token is refused here, and audited.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = VaultRequestContext
    let database: VaultDatabase
    let keys: ServerKeys
    let metrics: VaultMetrics
    let limiter: FailedAuthLimiter
    let clock: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            return try await next(request, context)
        }
        if limiter.isBlocked(context.remote, now: clock()) {
            if limiter.shouldReport(context.remote) {
                try await database.recordRefusal(
                    context: OperationContext(principal: nil, remote: context.remote, requestId: context.requestId, now: clock()),
                    handoffId: nil, action: .rateLimited
                )
            }
            metrics.requestRefused()
            throw APIProblem.rateLimited(retryAfter: Int(limiter.window))
        }
        var context = context
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            try await refuse(context)
        }
        let token = BearerToken(text: String(parts[1]))
        guard token.isWellFormed,
              let principal = try await database.principal(forTokenHash: try keys.tokenHash(token), now: clock())
        else {
            try await refuse(context)
        }
        context.principal = principal
        return try await next(request, context)
    }

    private func refuse(_ context: Context) async throws -> Never {
        limiter.recordFailure(context.remote, now: clock())
        try await database.recordRefusal(
            context: OperationContext(principal: nil, remote: context.remote, requestId: context.requestId, now: clock()),
            handoffId: nil
        )
        metrics.requestRefused()
        throw APIProblem.unauthenticated("the bearer token is unknown, revoked or expired")
    }
}
