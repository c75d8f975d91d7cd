import HTTPTypes
import Hummingbird

/// CORS for exactly one origin: the separately controlled static host of the customer's page
/// (`page_origin`), so that a compromised vault cannot also change the page. Requests from that
/// origin get `Access-Control-Allow-Origin` for it; its preflights (`OPTIONS` with
/// `Access-Control-Request-Method`) are answered here, before limits and routes, with the methods
/// and headers the page uses. Any other origin gets no CORS header at all — browsers then refuse
/// to hand the answer to its script — and its preflights go on to the router (and count as
/// refusals there). No credentials mode: the page sends its invite as a bearer token, never a cookie.
struct PageOriginCORS: RouterMiddleware {
    typealias Context = VaultRequestContext
    /// `https://host[:port]`.
    let origin: String

    static let allowOrigin = HTTPField.Name("Access-Control-Allow-Origin")!
    static let allowMethods = HTTPField.Name("Access-Control-Allow-Methods")!
    static let allowHeaders = HTTPField.Name("Access-Control-Allow-Headers")!
    static let exposeHeaders = HTTPField.Name("Access-Control-Expose-Headers")!
    static let maxAge = HTTPField.Name("Access-Control-Max-Age")!
    static let requestMethod = HTTPField.Name("Access-Control-Request-Method")!
    static let originHeader = HTTPField.Name("Origin")!
    static let vary = HTTPField.Name("Vary")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[Self.originHeader] == origin else {
            var response = try await next(request, context)
            response.headers[Self.vary] = "Origin"
            return response
        }
        if request.method == .options, request.headers[Self.requestMethod] != nil {
            return Response(status: .noContent, headers: [
                Self.allowOrigin: origin, Self.allowMethods: "GET, POST, PUT, DELETE", Self.allowHeaders: "Authorization, Content-Type",
                Self.maxAge: "600", Self.vary: "Origin", .cacheControl: "no-store",
            ])
        }
        var response = try await next(request, context)
        response.headers[Self.allowOrigin] = origin
        response.headers[Self.exposeHeaders] = "X-Request-Id, Retry-After"
        response.headers[Self.vary] = "Origin"
        return response
    }

    /// Whether `text` is an https origin: scheme, host and optional port, nothing else.
    static func isOrigin(_ text: String) -> Bool {
        guard text.hasPrefix("https://"), !text.hasSuffix("/") else { return false }
        let rest = text.dropFirst("https://".count)
        return !rest.isEmpty && !rest.contains { "/?#@ ".contains($0) }
    }
}
