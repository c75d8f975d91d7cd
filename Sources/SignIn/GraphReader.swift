import Foundation
import HandoffDomain
import VaultClient

/// Reads what the live check needs from Microsoft Graph with the signed-in admin's delegated
/// token (DESIGN.md, "the live check"): the app registration of the values' client ID, Microsoft
/// Graph's own permission ids, and the app's delegated permission grants. Graph's answers are
/// untrusted: shapes are read defensively (`TenantSetup`), paging links must stay on the Graph
/// base, `429 Retry-After` is waited out (a few times, at most 30 s each), a 403 is explained as
/// a missing consent.
package struct GraphReader: Sendable {
    /// The delegated scopes the live check asks for, and why (README, "The live check"):
    /// `Application.Read.All` reads the app registration and Graph's service principal;
    /// `DelegatedPermissionGrant.Read.All` reads whether admin consent was granted (Step 10).
    package static func scopes(graph: String) -> [String] {
        ["\(graph)/Application.Read.All", "\(graph)/DelegatedPermissionGrant.Read.All"]
    }

    let graph: String
    let caFile: String?
    let accessToken: String

    package init(graph: String, caFile: String?, accessToken: String) {
        self.graph = graph
        self.caFile = caFile
        self.accessToken = accessToken
    }

    /// What the tenant holds for `clientId` (a GUID, checked by the values' rules).
    package func setup(clientId: String) async throws -> TenantSetup {
        let client = try VaultClient(server: graph, caFile: caFile, token: nil)
        do {
            let setup = try await read(clientId: clientId.lowercased(), client)
            await client.shutdown()
            return setup
        } catch {
            await client.shutdown()
            throw error
        }
    }

    private func read(clientId: String, _ client: VaultClient) async throws -> TenantSetup {
        let application = try await list(client, "/v1.0/applications?$filter=appId%20eq%20'\(clientId)'").first
        let graphPrincipal = try await list(
            client, "/v1.0/servicePrincipals?$filter=appId%20eq%20'\(SetupCheck.graphAppId)'&$select=id,oauth2PermissionScopes"
        ).first?.objectValue
        var ids: [String: String] = [:]
        for scope in graphPrincipal?["oauth2PermissionScopes"]?.arrayValue ?? [] {
            if let value = scope.objectValue?["value"]?.stringValue, let id = scope.objectValue?["id"]?.stringValue { ids[value] = id }
        }
        var grants: [JSONValue] = []
        if application != nil,
           let principal = try await list(client, "/v1.0/servicePrincipals?$filter=appId%20eq%20'\(clientId)'&$select=id").first?.objectValue?["id"]?.stringValue,
           HandoffValues.isGUID(principal) {
            grants = try await list(client, "/v1.0/oauth2PermissionGrants?$filter=clientId%20eq%20'\(principal.lowercased())'")
        }
        return TenantSetup(application: application, graphPermissionIds: ids, grants: grants, graphServicePrincipalId: graphPrincipal?["id"]?.stringValue)
    }

    /// Every item of a collection, following `@odata.nextLink` (at most 20 pages).
    private func list(_ client: VaultClient, _ path: String) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var next: String? = path
        var pages = 0
        while let page = next, pages < 20 {
            pages += 1
            let json = try await get(client, page)
            items += json["value"]?.arrayValue ?? []
            next = json["@odata.nextLink"]?.stringValue
        }
        return items
    }

    /// One GET: 429 waited out (three times at most), 401/403 explained, other failures named.
    private func get(_ client: VaultClient, _ path: String) async throws -> [String: JSONValue] {
        for _ in 0..<4 {
            let (status, json, retryAfter) = try await client.get(path, bearer: accessToken)
            switch status {
            case 200: return json?.objectValue ?? [:]
            case 429:
                try await Task.sleep(for: .seconds(min(max(retryAfter ?? 2, 1), 30)))
            case 401, 403:
                throw SignInError(.declined, "Microsoft Graph refused to show the app registration: an admin of your tenant must consent to Altoura's sign-in app reading app registrations (Application.Read.All) and permission grants (DelegatedPermissionGrant.Read.All)")
            default:
                throw SignInError(.failed, "Microsoft Graph answered \(status) while reading the app registration; try again later")
            }
        }
        throw SignInError(.failed, "Microsoft Graph kept asking to wait (429); try again later")
    }
}
