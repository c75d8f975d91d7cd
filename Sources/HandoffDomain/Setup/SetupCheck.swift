/// What Microsoft Graph says of the customer's tenant, as the live check reads it (DOMAIN-RULES.md,
/// "The live check"): untrusted JSON, read defensively (a missing or ill-typed member counts as
/// absent, never as a crash).
package struct TenantSetup: Sendable {
    /// The `application` whose `appId` is the values' client ID (nil: none in this tenant).
    package let application: JSONValue?
    /// Microsoft Graph's delegated permissions by name (`value` → `id`), from Graph's own service
    /// principal's `oauth2PermissionScopes` — never hard-coded ids.
    package let graphPermissionIds: [String: String]
    /// The `oauth2PermissionGrant`s whose client is the app's service principal (Step 10), and
    /// Graph's service principal id they must name as resource.
    package let grants: [JSONValue]
    package let graphServicePrincipalId: String?

    package init(application: JSONValue?, graphPermissionIds: [String: String], grants: [JSONValue] = [], graphServicePrincipalId: String? = nil) {
        self.application = application
        self.graphPermissionIds = graphPermissionIds
        self.grants = grants
        self.graphServicePrincipalId = graphServicePrincipalId
    }
}

/// One finding of the live check: the deployment step it belongs to, as a validation problem.
package struct SetupFinding: Sendable, Equatable {
    package let step: Int
    package let problem: ValidationProblem
}

/// The live check's rules over what Graph said (Steps 1–4, and 10 once the Teams app's Object ID
/// is given): one finding per rule that fails, never two for one mistake, each in the admin's words
/// with where to fix it in the portal.
package enum SetupCheck {
    /// The Microsoft Teams clients Step 3 pre-authorizes (fixed Microsoft values).
    package static let teamsClients: [(appId: String, name: String)] = [
        ("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Teams desktop / mobile"), ("5e3ce6c0-2b1f-4285-8d4b-75ee78787346", "Teams web"),
    ]
    /// Microsoft Graph's application id.
    package static let graphAppId = "00000003-0000-0000-c000-000000000000"
    /// The delegated Graph permissions of Step 4, in its order.
    package static let graphPermissions = ["OnlineMeetings.ReadWrite", "Chat.ReadWrite", "Contacts.Read", "User.Read.All", "User.Read", "offline_access"]

    /// Every finding for `values` in the signed-in tenant `tenantId`; `invitedRedirectUri` is the
    /// one Altoura gave in the invite, if any.
    package static func findings(values: HandoffValues, invitedRedirectUri: String?, tenantId: String, setup: TenantSetup) -> [SetupFinding] {
        guard let app = setup.application?.objectValue else {
            return [SetupFinding(step: 1, problem: ValidationProblem(
                field: ValueField.clientId.rawValue,
                message: "\(values.clientId) is not an app registration in the tenant you signed in to (\(tenantId))",
                hint: "copy Application (client) ID from App registration → Overview in that tenant, or sign in to the tenant that holds the app registration"
            ))]
        }
        var found: [SetupFinding] = []
        func add(_ step: Int, _ field: String, _ message: String, _ hint: String) {
            found.append(SetupFinding(step: step, problem: ValidationProblem(field: field, message: message, hint: hint)))
        }

        // Step 1: who may sign in.
        let audience = app["signInAudience"]?.stringValue ?? "unknown"
        if audience != "AzureADMultipleOrgs" {
            add(1, "step1", "the app registration accepts \(describe(audience)), not accounts in any organizational directory",
                "App registration → Authentication → Supported account types: Accounts in any organizational directory (Any Microsoft Entra ID tenant - Multitenant)")
        }

        // Step 2: every redirect URI the values name, and Altoura's.
        let configured = Set(strings(app["web"]?.objectValue?["redirectUris"]))
        var wanted = values.redirectUris
        if let invitedRedirectUri, !wanted.contains(invitedRedirectUri) { wanted.append(invitedRedirectUri) }
        for uri in wanted where !configured.contains(uri) {
            add(2, ValueField.redirectUris.rawValue, "\(uri) is not a redirect URI of the app registration",
                "App registration → Authentication → Web → Add URI: \(uri)")
        }

        // Step 3: the Application ID URI, the scope, the Teams clients.
        let api = app["api"]?.objectValue ?? [:]
        if !strings(app["identifierUris"]).contains(values.applicationIdUri) {
            add(3, ValueField.applicationIdUri.rawValue, "the app registration's Application ID URI is not \(values.applicationIdUri)",
                "App registration → Expose an API → Application ID URI → Set: \(values.applicationIdUri)")
        }
        let scope = (api["oauth2PermissionScopes"]?.arrayValue ?? []).compactMap { $0.objectValue }.first {
            $0["value"]?.stringValue == HandoffValues.scopeName
        }
        let scopeId = scope?["id"]?.stringValue
        if scope == nil || scopeId == nil {
            add(3, ValueField.scope.rawValue, "the app registration exposes no scope access_as_user",
                "App registration → Expose an API → Add a scope → Scope name: access_as_user, Who can consent: Admins and users, State: Enabled")
        } else if scope?["isEnabled"] != .bool(true) {
            add(3, ValueField.scope.rawValue, "the scope access_as_user is disabled",
                "App registration → Expose an API → access_as_user → State: Enabled")
        } else if scope?["type"]?.stringValue != "User" {
            add(3, ValueField.scope.rawValue, "only admins can consent to the scope access_as_user",
                "App registration → Expose an API → access_as_user → Who can consent: Admins and users")
        }
        let preAuthorized = (api["preAuthorizedApplications"]?.arrayValue ?? []).compactMap { $0.objectValue }
        func authorizes(_ appId: String) -> Bool {
            guard let scopeId else { return false }
            return preAuthorized.contains { $0["appId"]?.stringValue?.lowercased() == appId.lowercased() && strings($0["delegatedPermissionIds"]).contains(scopeId) }
        }
        if scopeId != nil {  // without the scope, nothing can be pre-authorized for it: one mistake, one finding
            for client in teamsClients where !authorizes(client.appId) {
                add(3, "step3", "\(client.name) (\(client.appId)) is not pre-authorized for access_as_user",
                    "App registration → Expose an API → Add a client application: \(client.appId), check access_as_user")
            }
        }

        // Step 4: the six delegated Graph permissions.
        let requested = Set((app["requiredResourceAccess"]?.arrayValue ?? []).compactMap { $0.objectValue }
            .filter { $0["resourceAppId"]?.stringValue == graphAppId }
            .flatMap { ($0["resourceAccess"]?.arrayValue ?? []).compactMap { $0.objectValue } }
            .filter { $0["type"]?.stringValue == "Scope" }
            .compactMap { $0["id"]?.stringValue?.lowercased() })
        for permission in graphPermissions {
            guard let id = setup.graphPermissionIds[permission]?.lowercased() else {
                add(4, "step4", "Microsoft Graph's permission \(permission) could not be looked up in your tenant", "try the check again later")
                continue
            }
            if !requested.contains(id) {
                add(4, "step4", "the app registration does not request the Microsoft Graph permission \(permission)",
                    "App registration → API permissions → Add a permission → Microsoft Graph → Delegated permissions → \(permission)")
            }
        }

        // Step 10, once the Teams app's Object ID is known: pre-authorized, and admin consent granted.
        if let objectId = values.teamsAppObjectId {
            if scopeId != nil, !authorizes(objectId) {
                add(10, ValueField.teamsAppObjectId.rawValue, "the Teams app (\(objectId)) is not an authorized client application for access_as_user",
                    "App registration → Expose an API → Authorized client applications → Add a client application: \(objectId), check access_as_user")
            }
            let granted = Set(setup.grants.compactMap { $0.objectValue }
                .filter { $0["consentType"]?.stringValue == "AllPrincipals" && $0["resourceId"]?.stringValue == setup.graphServicePrincipalId }
                .flatMap { ($0["scope"]?.stringValue ?? "").split(separator: " ").map { $0.lowercased() } })
            let missing = graphPermissions.filter { !granted.contains($0.lowercased()) }
            if !missing.isEmpty {
                add(10, "step10", "admin consent is not granted for \(missing.joined(separator: ", "))",
                    "App registration → API permissions → Grant admin consent, then check that every permission shows Granted")
            }
        }
        return found
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        (value?.arrayValue ?? []).compactMap { $0.stringValue }
    }

    /// `signInAudience` in the portal's words.
    private static func describe(_ audience: String) -> String {
        switch audience {
        case "AzureADMyOrg": return "accounts in this organizational directory only (single tenant)"
        case "AzureADandPersonalMicrosoftAccount": return "organizational and personal Microsoft accounts"
        case "PersonalMicrosoftAccount": return "personal Microsoft accounts only"
        default: return "accounts of type \(audience)"
        }
    }
}
