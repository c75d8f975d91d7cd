import Foundation
import HandoffDomain
import Hummingbird
import Logging
import VaultCrypto
import VaultStore

/// Limits and policies the API enforces, from the server settings.
package struct APILimits: Sendable {
    /// Refused requests per client network in a window before it gets 429 for the rest of it.
    package var refusalsPerWindow: Int
    /// The refusal window.
    package var refusalWindow: TimeInterval
    /// Submissions kept per handoff; more are refused with 429.
    package var submissionsPerHandoff: Int
    /// The proxies whose forwarded client address is taken.
    package var trustedProxies: TrustedProxies
    /// The separate static host of the customer's page, answered with CORS (nil: none).
    package var pageOrigin: String?
    /// What every invite names besides its handoff: the sign-in app and Altoura's constants.
    package var invites: InviteTemplate
    /// Webhook receivers on private and loopback addresses are accepted.
    package var webhookAllowPrivate = false

    package init(
        refusalsPerWindow: Int = 10, refusalWindow: TimeInterval = 60, submissionsPerHandoff: Int = 100, trustedProxies: TrustedProxies = .none,
        pageOrigin: String? = nil, invites: InviteTemplate = InviteTemplate()
    ) {
        self.refusalsPerWindow = refusalsPerWindow
        self.refusalWindow = refusalWindow
        self.submissionsPerHandoff = submissionsPerHandoff
        self.trustedProxies = trustedProxies
        self.pageOrigin = pageOrigin
        self.invites = invites
    }

    /// The limits the server settings name.
    package init(_ settings: ServerSettings) {
        self.init(
            refusalsPerWindow: settings.refusalLimit, refusalWindow: settings.refusalWindow,
            submissionsPerHandoff: settings.maxSubmissionsPerHandoff, trustedProxies: settings.trustedProxies, pageOrigin: settings.pageOrigin,
            invites: InviteTemplate(signIn: settings.signIn, redirectUri: settings.deploymentRedirectURI, appIdUriHost: settings.deploymentAppIdURIHost)
        )
        webhookAllowPrivate = settings.webhookAllowPrivate
    }
}

/// What the server puts into every invite besides the handoff's own fields (DESIGN.md, invite
/// fields for sign-in): Altoura's sign-in app, when configured, and the deployment constants.
package struct InviteTemplate: Sendable, Equatable {
    package var signIn: SignInSettings?
    package var redirectUri: String?
    package var appIdUriHost: String?

    package init(signIn: SignInSettings? = nil, redirectUri: String? = nil, appIdUriHost: String? = nil) {
        self.signIn = signIn
        self.redirectUri = redirectUri
        self.appIdUriHost = appIdUriHost
    }
}

/// The `/v1` API and the health endpoints over a `HandoffStore`. Each handler checks the role,
/// calls one store operation and answers JSON; errors become problem documents in
/// `ProblemMiddleware`.
package struct VaultAPI: Sendable {
    /// Request bodies on `/v1` are limited to 64 KiB.
    package static let maximumBodySize = 64 * 1024

    let store: any HandoffStore
    /// The https URL that invites name, fixed once the server is listening.
    let publicURL: @Sendable () -> String
    let clock: @Sendable () -> Date
    let metrics: VaultMetrics
    let readiness: Readiness?
    let limits: APILimits
    /// Refused requests per client network; `TallyAuditService` audits what it counts.
    let refusals: RefusalLimiter
    /// Repeated audited reads per credential and handoff; `TallyAuditService` audits what it counts.
    let repeatedReads: RepeatedReads
    /// The witnesses' cosigning, when witnesses are configured.
    let witnessing: Witnessing?
    /// What wakes the event streams; the server runs it as a service.
    package let eventFeed: EventFeed
    /// The handoff views' JSON, encoded once per unchanged view.
    let encodedViews = EncodedViews()

    /// Creates the API.
    package init(
        store: any HandoffStore, publicURL: @escaping @Sendable () -> String, limits: APILimits = APILimits(),
        metrics: VaultMetrics = VaultMetrics(), readiness: Readiness? = nil, witnessing: Witnessing? = nil, eventFeed: EventFeed? = nil,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.witnessing = witnessing
        self.store = store
        self.eventFeed = eventFeed ?? EventFeed(store: store, logger: Logger(label: "handoffd.events"))
        self.publicURL = publicURL
        self.limits = limits
        self.refusals = RefusalLimiter(limit: limits.refusalsPerWindow, window: limits.refusalWindow)
        self.repeatedReads = RepeatedReads(window: limits.refusalWindow)
        self.metrics = metrics
        self.readiness = readiness
        self.clock = clock
    }

    /// The router with every route and the middleware in front of them.
    package func router() -> Router<VaultRequestContext> {
        let router = Router(context: VaultRequestContext.self)
        // Only when configured: each middleware is a step on every request's path.
        if !limits.trustedProxies.ranges.isEmpty { router.add(middleware: ClientAddressMiddleware(trusted: limits.trustedProxies)) }
        if let pageOrigin = limits.pageOrigin { router.add(middleware: PageOriginCORS(origin: pageOrigin)) }
        router.add(middleware: AccessLogMiddleware(metrics: metrics))
        router.add(middleware: SecurityHeadersMiddleware(policy: WebPage.policy(signIn: limits.invites.signIn)))
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: RefusalMiddleware(metrics: metrics, refusals: refusals, clock: clock))
        router.add(middleware: BearerAuthMiddleware(store: store, clock: clock))
        addOperationsRoutes(to: router)
        addWebPageRoutes(to: router)
        let v1 = router.group("v1")
        addOpenAPIRoutes(to: v1)
        addAdminRoutes(to: v1)
        addHandoffRoutes(to: v1)
        addPackageRoutes(to: v1)
        addAuditRoutes(to: v1)
        addEventRoutes(to: v1)
        addWebhookRoutes(to: v1)
        return router
    }

    /// The store's view of this request.
    func storeContext(_ context: VaultRequestContext, _ principal: Principal?) -> OperationContext {
        OperationContext(principal: principal, remote: context.remote, requestId: context.requestId, now: clock())
    }

    /// The caller, if their role may use this route; otherwise a 401, 403 or 404 (counted and
    /// audited as a refusal by `ProblemMiddleware`). A customer asking about another handoff gets
    /// 404, as if it did not exist.
    func authorize(_ context: VaultRequestContext, _ roles: Set<Role>, handoffId: String? = nil) throws -> Principal {
        guard let principal = context.principal else {
            throw APIProblem.unauthenticated("send Authorization: Bearer <token>")
        }
        if principal.role == .customer, let handoffId, handoffId != principal.handoffId {
            throw APIProblem.notFound("no such handoff").refusing(principal)
        }
        guard roles.contains(principal.role) else {
            throw APIProblem.forbidden("the \(principal.role.rawValue) role may not do this").refusing(principal)
        }
        return principal
    }

    /// The probes and the metrics.
    func addOperationsRoutes(to router: Router<VaultRequestContext>) {
        router.get("healthz") { _, _ in Response.json(["status": "ok"]) }
        router.get("readyz") { _, _ in
            guard readiness?.isReady ?? true else {
                throw APIProblem(.serviceUnavailable, code: "server.shutting_down", title: "Not ready", detail: "the server is shutting down")
            }
            guard await store.isReachable() else {
                throw APIProblem(.serviceUnavailable, code: "server.not_ready", title: "Not ready", detail: "the database is not reachable, or this node cannot take the audit lock within its bound")
            }
            return Response.json(["status": "ready"])
        }
        router.get("metrics", use: metricsText)
    }

    /// The customer's page and its assets.
    func addWebPageRoutes(to router: Router<VaultRequestContext>) {
        router.get("/") { _, _ in try WebPage.served().page() }
        // Browsers ask for it on every visit; a 404 would count as a refused request.
        router.get("favicon.ico") { _, _ in Response(status: .noContent, headers: [.cacheControl: "public, max-age=86400"]) }
        router.get("assets/:name") { _, context in try WebPage.served().asset(named: context.parameters.get("name") ?? "") }
        router.get("signin") { _, _ in try WebPage.served().signInLanding() }
        router.get("audit") { _, _ in try WebPage.served().auditorPage() }
    }

    /// `GET /metrics`: Prometheus text, for the admin or from loopback only.
    @Sendable func metricsText(_ request: Request, context: VaultRequestContext) async throws -> Response {
        // Open to a scraper on this host only; through a proxy (even one on this host) an admin token.
        if !TrustedProxies.isLoopback(context.peer) || limits.trustedProxies.contains(context.peer) {
            _ = try authorize(context, [.admin])
        }
        let body = metrics.render(treeSize: try await store.auditSize(), storageBytes: store.storageBytes())
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The `:id` parameter if it is a handoff id (a lowercase UUID); anything else is a 404.
    func handoffId(_ context: VaultRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), HandoffValues.isHandoffId(id) else {
            throw APIProblem.notFound("no such handoff")
        }
        return id
    }
}
