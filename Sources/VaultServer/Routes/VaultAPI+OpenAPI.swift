import Foundation
import Hummingbird
import Yams

extension VaultAPI {
    /// The API's own description.
    func addOpenAPIRoutes(to v1: RouterGroup<VaultRequestContext>) {
        v1.get("openapi.yaml", use: openAPI)
    }

    /// The OpenAPI 3.1 document of this API, embedded at build time from `OpenAPI/openapi.yaml`.
    package static var openAPIDocument: [UInt8] { PackageResources.openapi_yaml }

    /// `GET /v1/openapi.yaml`.
    @Sendable func openAPI(_ request: Request, context: VaultRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: Self.openAPIDocument)))
    }

    /// Every `METHOD /path` the router serves, with parameters written `{name}` as OpenAPI does.
    package func routedOperations() -> Set<String> {
        Set(router().routes.map { route in
            let path = route.path.description.split(separator: "/", omittingEmptySubsequences: false).map { segment in
                segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
            }.joined(separator: "/")
            return "\(route.method.rawValue) \(path.hasPrefix("/") ? path : "/" + path)"
        })
    }

    /// Every `METHOD /path` the OpenAPI document describes.
    package static func documentedOperations() throws -> Set<String> {
        guard let document = try Yams.load(yaml: String(decoding: openAPIDocument, as: UTF8.self)) as? [String: Any],
              let paths = document["paths"] as? [String: Any]
        else { return [] }
        var operations: Set<String> = []
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where ["get", "put", "post", "delete", "patch"].contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    /// The values of the string enum `components.schemas.<name>` in the OpenAPI document.
    package static func documentedEnum(_ name: String) throws -> [String] {
        guard let document = try Yams.load(yaml: String(decoding: openAPIDocument, as: UTF8.self)) as? [String: Any],
              let components = document["components"] as? [String: Any], let schemas = components["schemas"] as? [String: Any],
              let schema = schemas[name] as? [String: Any], let values = schema["enum"] as? [String]
        else { return [] }
        return values
    }
}
