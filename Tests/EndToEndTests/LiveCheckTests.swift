import Foundation
import HandoffDomain
import TestSupport
import Testing

/// The live check in the CLI, end to end: the admin signs in at the fake Entra with the Graph
/// scopes, the real `handoff` reads the app registration from the fake Microsoft Graph (documented
/// shapes, paging, one 429) and reports what differs from Steps 1–4 and 10.
@Suite("Live check (CLI)")
struct LiveCheckTests {
    typealias Setup = SignInFlowTests.Setup
    static let scopeId = "8b7f2a8c-0000-4000-8000-00000000a001"
    static let graphSP = "b1c2d3e4-0000-4000-8000-0000000000c1"
    static let appSP = "c0000000-0000-4000-8000-000000000001"

    /// The fake tenant: the app registration of the fixture's values, done as the steps say, with
    /// `change` applied; Graph's permission ids; the app's admin consent split over two pages.
    static func tenant(_ setup: Setup, throttle: Bool = true, forbid: Bool = false, change: (inout [String: JSONValue]) -> Void = { _ in }) throws {
        let values = try #require(try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Scenario.fixture("valid-minimal.json"))))).objectValue)
        let permissions = ["OnlineMeetings.ReadWrite", "Chat.ReadWrite", "Contacts.Read", "User.Read.All", "User.Read", "offline_access"]
        let ids = Dictionary(uniqueKeysWithValues: permissions.enumerated().map { ($1, "a000000\($0)-0000-4000-8000-000000000000") })
        var app: [String: JSONValue] = [
            "appId": try #require(values["clientId"]), "signInAudience": "AzureADMultipleOrgs",
            "web": ["redirectUris": try #require(values["redirectUris"])],
            "identifierUris": [try #require(values["applicationIdUri"])],
            "api": [
                "oauth2PermissionScopes": [["id": .string(scopeId), "value": "access_as_user", "isEnabled": true, "type": "User"]],
                "preAuthorizedApplications": [
                    ["appId": "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "delegatedPermissionIds": [.string(scopeId)]],
                    ["appId": "5e3ce6c0-2b1f-4285-8d4b-75ee78787346", "delegatedPermissionIds": [.string(scopeId)]],
                ],
            ],
            "requiredResourceAccess": [["resourceAppId": "00000003-0000-0000-c000-000000000000",
                                        "resourceAccess": .array(permissions.map { ["id": .string(ids[$0]!), "type": "Scope"] })]],
        ]
        change(&app)
        let data: JSONValue = [
            "application": .object(app), "graphSP": .string(graphSP), "appSP": .string(appSP),
            "graphScopes": .array(permissions.map { ["id": .string(ids[$0]!), "value": .string($0)] }),
            "grants": [
                ["clientId": .string(appSP), "consentType": "AllPrincipals", "resourceId": .string(graphSP), "scope": "OnlineMeetings.ReadWrite Chat.ReadWrite Contacts.Read"],
                ["clientId": .string(appSP), "consentType": "AllPrincipals", "resourceId": .string(graphSP), "scope": "User.Read.All User.Read offline_access"],
            ],
            "throttleOnce": .bool(throttle), "forbid": .bool(forbid),
        ]
        try Data(CanonicalJSON.encode(data)).write(to: URL(fileURLWithPath: setup.entra.keys + "/tenant.json"))
    }

    @Test("A registration done as the steps say passes (one 429 waited out); each mistake is one finding in the validator's shape, exit 65")
    func findings() async throws {
        let setup = try await Setup()
        try Self.tenant(setup)
        let passed = try await setup.handoff(["check-setup", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", setup.invite, "--json"])
        #expect(passed.status == 0, "\(passed.standardError)")
        #expect((try? JSONParser.parse(passed.standardOutput)) == ["valid": true, "problems": []], "\(passed.standardOutput)")

        try Self.tenant(setup, throttle: false) { app in
            app["signInAudience"] = "AzureADMyOrg"
            app["api"] = ["oauth2PermissionScopes": [["id": .string(Self.scopeId), "value": "access_as_user", "isEnabled": true, "type": "User"]],
                          "preAuthorizedApplications": [["appId": "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "delegatedPermissionIds": [.string(Self.scopeId)]]]]
        }
        let failed = try await setup.handoff(["check-setup", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", setup.invite, "--json"])
        #expect(failed.status == 65, "\(failed.standardError)")
        let problems = (try? JSONParser.parse(failed.standardOutput))?.objectValue?["problems"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(problems.map { $0["field"]?.stringValue ?? "" } == ["step1", "step3"], "\(failed.standardOutput)")
        #expect(problems.last?["message"]?.stringValue == "Teams web (5e3ce6c0-2b1f-4285-8d4b-75ee78787346) is not pre-authorized for access_as_user")
        #expect(problems.first?["hint"]?.stringValue?.contains("Supported account types") == true)

        let human = try await setup.handoff(["check-setup", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", setup.invite])
        #expect(human.status == 65)
        #expect(human.standardError.contains("2 problems found; nothing was sent"), "\(human.standardError)")
    }

    /// One registration per mistake (each step's alone), and the one finding each gives exactly:
    /// the same table the page's test checks.
    static let mistakes: [(name: String, change: @Sendable (inout [String: JSONValue]) -> Void, findings: [String])] = [
        ("single tenant", { $0["signInAudience"] = "AzureADMyOrg" },
         ["step1: the app registration accepts accounts in this organizational directory only (single tenant), not accounts in any organizational directory"]),
        ("redirect URI missing", { $0["web"] = ["redirectUris": []] },
         ["redirectUris: https://altouraremoteacs.azurewebsites.net/auth/callback is not a redirect URI of the app registration"]),
        ("Application ID URI missing", { $0["identifierUris"] = [] },
         ["applicationIdUri: the app registration's Application ID URI is not api://altouraremoteacs.azurewebsites.net/14a03569-d26b-4496-92e5-dfe8cb1855fe"]),
        ("scope disabled", { Self.setScope(&$0, enabled: false, type: "User") }, ["scope: the scope access_as_user is disabled"]),
        ("admins only", { Self.setScope(&$0, enabled: true, type: "Admin") }, ["scope: only admins can consent to the scope access_as_user"]),
        ("no scope", { app in
            var api = app["api"]?.objectValue ?? [:]
            api["oauth2PermissionScopes"] = []
            app["api"] = .object(api)
        }, ["scope: the app registration exposes no scope access_as_user"]),
        ("Teams web not pre-authorized", { app in
            var api = app["api"]?.objectValue ?? [:]
            api["preAuthorizedApplications"] = [["appId": "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "delegatedPermissionIds": [.string(Self.scopeId)]]]
            app["api"] = .object(api)
        }, ["step3: Teams web (5e3ce6c0-2b1f-4285-8d4b-75ee78787346) is not pre-authorized for access_as_user"]),
        ("a Graph permission missing", { app in
            var access = app["requiredResourceAccess"]?.arrayValue?.first?.objectValue ?? [:]
            access["resourceAccess"] = .array(Array((access["resourceAccess"]?.arrayValue ?? []).filter { $0.objectValue?["id"] != "a0000001-0000-4000-8000-000000000000" }))
            app["requiredResourceAccess"] = [.object(access)]
        }, ["step4: the app registration does not request the Microsoft Graph permission Chat.ReadWrite"]),
    ]

    static func setScope(_ app: inout [String: JSONValue], enabled: Bool, type: String) {
        var api = app["api"]?.objectValue ?? [:]
        api["oauth2PermissionScopes"] = [["id": .string(scopeId), "value": "access_as_user", "isEnabled": .bool(enabled), "type": .string(type)]]
        app["api"] = .object(api)
    }

    @Test("Each step's mistake alone gives exactly its one finding, in the CLI")
    func eachMistake() async throws {
        let setup = try await Setup()
        for mistake in Self.mistakes {
            try Self.tenant(setup, throttle: false, change: mistake.change)
            let result = try await setup.handoff(["check-setup", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", setup.invite, "--json"])
            let problems = (try? JSONParser.parse(result.standardOutput))?.objectValue?["problems"]?.arrayValue?.compactMap(\.objectValue) ?? []
            #expect(result.status == 65, "\(mistake.name): \(result.standardError)")
            #expect(problems.map { "\($0["field"]?.stringValue ?? ""): \($0["message"]?.stringValue ?? "")" } == mistake.findings, "\(mistake.name)")
        }
    }

    @Test("Step 10: the Teams app's Object ID pre-authorized, and admin consent read across Graph's pages")
    func step10() async throws {
        let setup = try await Setup()
        let objectId = "7d2c1b0a-0000-4000-8000-0000000000b7"
        var values = try #require(try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Scenario.fixture("valid-minimal.json"))))).objectValue)
        values["teamsAppObjectId"] = .string(objectId)
        let file = setup.scenario.server.directory.appendingPathComponent("values-step10.json")
        try Data(CanonicalJSON.encode(.object(values))).write(to: file)
        try Self.tenant(setup, throttle: false) { app in
            var api = app["api"]?.objectValue ?? [:]
            api["preAuthorizedApplications"] = .array((api["preAuthorizedApplications"]?.arrayValue ?? []) + [["appId": .string(objectId), "delegatedPermissionIds": [.string(Self.scopeId)]]])
            app["api"] = .object(api)
        }
        let passed = try await setup.handoff(["check-setup", "--values", file.path, "--invite-file", setup.invite, "--json"])
        #expect(passed.status == 0, "consent is granted over the two pages together: \(passed.standardOutput) \(passed.standardError)")
        try Self.tenant(setup, throttle: false)
        let failed = try await setup.handoff(["check-setup", "--values", file.path, "--invite-file", setup.invite, "--json"])
        let fields = (try? JSONParser.parse(failed.standardOutput))?.objectValue?["problems"]?.arrayValue?.compactMap { $0.objectValue?["field"]?.stringValue }
        #expect(failed.status == 65 && fields == ["teamsAppObjectId"], "\(failed.standardOutput)")
    }

    @Test("submit --check-tenant sends nothing while the registration is wrong, and sends once it is right")
    func submitChecksTenant() async throws {
        let setup = try await Setup()
        try Self.tenant(setup, throttle: false) { app in app["identifierUris"] = [] }
        let refused = try await setup.handoff(["submit", "--check-tenant", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", setup.invite])
        #expect(refused.status == 65, "\(refused.standardError)")
        #expect(refused.standardError.contains("applicationIdUri: the app registration's Application ID URI is not"), "\(refused.standardError)")
        let status = try await setup.handoff(["status", "--invite-file", setup.invite, "--json"])
        #expect((try? JSONParser.parse(status.standardOutput))?.objectValue?["state"]?.stringValue == "invited")
        try Self.tenant(setup, throttle: false)
        let sent = try await setup.handoff(["submit", "--check-tenant", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", setup.invite])
        #expect(sent.status == 0, "\(sent.standardError)")
        #expect(sent.standardOutput.contains("is set up as Steps 1–4 say"), "\(sent.standardOutput)")
    }

    @Test("A tenant that does not let the admin read app registrations: explained as a missing consent, exit 77")
    func forbidden() async throws {
        let setup = try await Setup()
        try Self.tenant(setup, throttle: false, forbid: true)
        let result = try await setup.handoff(["check-setup", "--values", Scenario.fixture("valid-minimal.json"), "--invite-file", setup.invite])
        #expect(result.status == 77, "\(result.standardError)")
        #expect(result.standardError.contains("Application.Read.All"), "\(result.standardError)")
    }
}
