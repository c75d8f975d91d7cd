import Foundation
import HandoffDomain
import TestSupport
import Testing

/// The live check's rules (DOMAIN-RULES.md, "The live check") over Graph's documented shapes:
/// `application` (https://learn.microsoft.com/graph/api/resources/application), its `api`
/// (`apiApplication`: `oauth2PermissionScopes`, `preAuthorizedApplications`), `requiredResourceAccess`,
/// and `oauth2PermissionGrant` (https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant).
/// One registration per mistake plus a correct one: the findings equal the expected list exactly.
@Suite("Live check rules")
struct SetupCheckTests {
    static let tenant = "096d3737-42f9-4039-8320-a4737c2b3abe"
    static let scopeId = "8b7f2a8c-0000-4000-8000-00000000a001"
    static let invited = "https://altouraremoteacs.azurewebsites.net/auth-end"
    static let objectId = "7d2c1b0a-0000-4000-8000-0000000000b7"
    static let graphSP = "b1c2d3e4-0000-4000-8000-0000000000c1"
    /// Microsoft Graph's delegated permissions as its service principal lists them (ids made up:
    /// the check looks them up, never hard-codes them).
    static let graphIds = Dictionary(uniqueKeysWithValues: SetupCheck.graphPermissions.enumerated().map { ($1, "a000000\($0)-0000-4000-8000-000000000000") })

    static func values(objectId: String? = nil) throws -> HandoffValues {
        var document = try #require(try JSONParser.parse(Array(try Data(contentsOf: TestPaths.valuesFixtures.appendingPathComponent("valid-minimal.json")))).objectValue)
        if let objectId { document["teamsAppObjectId"] = .string(objectId) }
        return try HandoffValues.validate(.object(document))
    }

    /// A registration done exactly as Steps 1–4 and 10 say, for `values`.
    static func correct(_ values: HandoffValues) -> [String: JSONValue] {
        var authorized: [JSONValue] = SetupCheck.teamsClients.map { ["appId": .string($0.appId), "delegatedPermissionIds": [.string(scopeId)]] }
        authorized.append(["appId": .string(objectId), "delegatedPermissionIds": [.string(scopeId)]])
        return [
            "appId": .string(values.clientId), "signInAudience": "AzureADMultipleOrgs",
            "web": ["redirectUris": .array((values.redirectUris + [invited]).map(JSONValue.string))],
            "identifierUris": [.string(values.applicationIdUri)],
            "api": [
                "oauth2PermissionScopes": [["id": .string(scopeId), "value": "access_as_user", "isEnabled": true, "type": "User"]],
                "preAuthorizedApplications": .array(authorized),
            ],
            "requiredResourceAccess": [[
                "resourceAppId": .string(SetupCheck.graphAppId),
                "resourceAccess": .array(SetupCheck.graphPermissions.map { ["id": .string(graphIds[$0]!), "type": "Scope"] }),
            ]],
        ]
    }

    static let consent: JSONValue = [
        "clientId": "c0000000-0000-4000-8000-000000000001", "consentType": "AllPrincipals", "resourceId": .string(graphSP),
        "scope": .string(SetupCheck.graphPermissions.joined(separator: " ")),
    ]

    static func findings(_ app: [String: JSONValue]?, values: HandoffValues, grants: [JSONValue] = [consent]) -> [String] {
        SetupCheck.findings(
            values: values, invitedRedirectUri: invited, tenantId: tenant,
            setup: TenantSetup(application: app.map(JSONValue.object), graphPermissionIds: graphIds, grants: grants, graphServicePrincipalId: graphSP)
        ).map { "\($0.step) \($0.problem.field): \($0.problem.message)" }
    }

    @Test("A registration done as the steps say has no finding, before and after Step 10")
    func correctRegistration() throws {
        #expect(Self.findings(Self.correct(try Self.values()), values: try Self.values()).isEmpty)
        let withObjectId = try Self.values(objectId: Self.objectId)
        #expect(Self.findings(Self.correct(withObjectId), values: withObjectId).isEmpty)
    }

    @Test("Each mistake alone gives exactly its one finding")
    func oneFindingPerMistake() throws {
        let values = try Self.values()
        let mistakes: [(String, (inout [String: JSONValue]) -> Void, [String])] = [
            ("single tenant", { $0["signInAudience"] = "AzureADMyOrg" },
             ["1 step1: the app registration accepts accounts in this organizational directory only (single tenant), not accounts in any organizational directory"]),
            ("Altoura's redirect URI missing", { $0["web"] = ["redirectUris": .array(values.redirectUris.map(JSONValue.string))] },
             ["2 redirectUris: \(Self.invited) is not a redirect URI of the app registration"]),
            ("Application ID URI missing", { $0["identifierUris"] = [] },
             ["3 applicationIdUri: the app registration's Application ID URI is not \(values.applicationIdUri)"]),
            ("scope disabled", { app in app["api"] = Self.api(app, scopes: [["id": .string(Self.scopeId), "value": "access_as_user", "isEnabled": false, "type": "User"]]) },
             ["3 scope: the scope access_as_user is disabled"]),
            ("admins only", { app in app["api"] = Self.api(app, scopes: [["id": .string(Self.scopeId), "value": "access_as_user", "isEnabled": true, "type": "Admin"]]) },
             ["3 scope: only admins can consent to the scope access_as_user"]),
            ("no scope at all (its pre-authorizations go with it: one mistake, one finding)", { app in app["api"] = Self.api(app, scopes: []) },
             ["3 scope: the app registration exposes no scope access_as_user"]),
            ("Teams web not pre-authorized", { app in app["api"] = Self.api(app, preAuthorized: [["appId": "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "delegatedPermissionIds": [.string(Self.scopeId)]]]) },
             ["3 step3: Teams web (5e3ce6c0-2b1f-4285-8d4b-75ee78787346) is not pre-authorized for access_as_user"]),
            ("one Graph permission missing", { app in
                app["requiredResourceAccess"] = [["resourceAppId": .string(SetupCheck.graphAppId),
                                                  "resourceAccess": .array(SetupCheck.graphPermissions.filter { $0 != "Chat.ReadWrite" }.map { ["id": .string(Self.graphIds[$0]!), "type": "Scope"] })]]
            }, ["4 step4: the app registration does not request the Microsoft Graph permission Chat.ReadWrite"]),
        ]
        for (name, change, expected) in mistakes {
            var app = Self.correct(values)
            change(&app)
            #expect(Self.findings(app, values: values) == expected, "\(name)")
        }
    }

    @Test("Step 10: the Teams app pre-authorized and admin consent granted, checked once the Object ID is given")
    func step10() throws {
        let values = try Self.values(objectId: Self.objectId)
        var app = Self.correct(values)
        app["api"] = Self.api(app, preAuthorized: SetupCheck.teamsClients.map { ["appId": .string($0.appId), "delegatedPermissionIds": [.string(Self.scopeId)]] })
        #expect(Self.findings(app, values: values) == ["10 teamsAppObjectId: the Teams app (\(Self.objectId)) is not an authorized client application for access_as_user"])
        let partial: JSONValue = ["consentType": "AllPrincipals", "resourceId": .string(Self.graphSP), "scope": "User.Read offline_access"]
        #expect(Self.findings(Self.correct(values), values: values, grants: [partial]) == [
            "10 step10: admin consent is not granted for OnlineMeetings.ReadWrite, Chat.ReadWrite, Contacts.Read, User.Read.All",
        ])
        let perUser: JSONValue = ["consentType": "Principal", "resourceId": .string(Self.graphSP), "scope": .string(SetupCheck.graphPermissions.joined(separator: " "))]
        #expect(Self.findings(Self.correct(values), values: values, grants: [perUser]).count == 1, "one user's consent is not admin consent")
        #expect(Self.findings(Self.correct(try Self.values()), values: try Self.values(), grants: []).isEmpty, "no consent is asked for before Step 10")
    }

    @Test("No app registration of that client ID in the tenant: one finding, nothing else checked; ill-typed answers are absences, not crashes")
    func missingAndUntrusted() throws {
        let values = try Self.values()
        #expect(Self.findings(nil, values: values) == ["1 clientId: \(values.clientId) is not an app registration in the tenant you signed in to (\(Self.tenant))"])
        let garbage: [String: JSONValue] = ["signInAudience": 7, "web": "x", "identifierUris": ["a": 1], "api": [], "requiredResourceAccess": "no"]
        #expect(Self.findings(garbage, values: values).count == 1 + (values.redirectUris.count + 1) + 1 + 1 + SetupCheck.graphPermissions.count,
                "audience, each redirect URI (the values' and Altoura's), the URI, the scope, the six permissions")
    }

    static func api(_ app: [String: JSONValue], scopes: [JSONValue]? = nil, preAuthorized: [JSONValue]? = nil) -> JSONValue {
        var api = app["api"]?.objectValue ?? [:]
        if let scopes { api["oauth2PermissionScopes"] = .array(scopes) }
        if let preAuthorized { api["preAuthorizedApplications"] = .array(preAuthorized) }
        return .object(api)
    }
}
