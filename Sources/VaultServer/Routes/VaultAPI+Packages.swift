import Foundation
import HandoffDomain
import Hummingbird
import NIOCore
import VaultCrypto
import VaultStore

extension VaultAPI {
    /// The signed Teams package, delivered and fetched.
    func addPackageRoutes(to v1: RouterGroup<VaultRequestContext>) {
        v1.put("handoffs/:id/package", use: deliverPackage)
        v1.get("handoffs/:id/package", use: fetchPackage)
    }

    /// The largest package accepted: a Teams package is a manifest and two small icons.
    package static let maximumPackageSize = 1024 * 1024

    /// `PUT /v1/handoffs/{id}/package` (generator): the signed Teams package for the customer.
    @Sendable func deliverPackage(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let id = try handoffId(context)
        let principal = try authorize(context, HandoffAction.deliverPackage.roles, handoffId: id)
        var request = request
        let tooLarge = APIProblem(
            .contentTooLarge, code: "http.too_large", title: "Package too large", detail: "packages are limited to \(Self.maximumPackageSize / 1024) KiB"
        )
        // Base64 grows the zip by a third; the JSON around it and the note add a little.
        let limit = Self.maximumPackageSize * 4 / 3 + 8192
        let body: [String: JSONValue]
        do {
            body = try await request.jsonObject(required: ["package", "signature"], allowed: ["package", "signature"], limit: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
        guard let zip = FieldDecoding.base64(try body.string("package", maxLength: limit)) else {
            throw APIProblem.badRequest("request.invalid_package", "package must be base64 of a zip file")
        }
        guard zip.count <= Self.maximumPackageSize else { throw tooLarge }
        guard ZipShape.isPlausible(zip) else {
            throw APIProblem.badRequest("request.invalid_package", "package must be a zip file (a Teams app package)")
        }
        return .json(try await store.storePackage(
            handoffId: id, zip: zip, signature: try body.string("signature", maxLength: 4096), context: storeContext(context, principal)
        ))
    }

    /// `GET /v1/handoffs/{id}/package` (its customer, the generator, admins): audited, the
    /// repeats of one credential within a window as one event (`RepeatedReads`).
    @Sendable func fetchPackage(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let id = try handoffId(context)
        let principal = try authorize(context, HandoffAction.fetchPackage.roles, handoffId: id)
        let key = RepeatedReads.Key(action: .packageFetched, handoffId: id, principal: principal)
        let audited = repeatedReads.mustAudit(key, now: clock())
        let package = try await store.fetchPackage(handoffId: id, audited: audited, context: storeContext(context, principal))
        repeatedReads.record(key, audited: audited, remote: context.remote, requestId: context.requestId, now: clock())
        return .json(package)
    }
}
