import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto

/// The rules of DOMAIN-RULES.md beyond the fixtures: normalisation and edge cases.
@Suite("Values rules")
struct ValuesRulesTests {
    static let clientId = "14a03569-d26b-4496-92e5-dfe8cb1855fe"
    static let key88 = "ACWplnj3wrxfUcUFRX3NMrrfaemJiq4YMZCNs866Q6nNnK8W2GxV/RdczGjOQHGzGMEys6LLShjzC5bnM9On6Q=="

    static func document(_ changes: [String: JSONValue?] = [:]) -> JSONValue {
        var members: [String: JSONValue] = [
            "clientId": .string(clientId),
            "tenantId": "096d3737-42f9-4039-8320-a4737c2b3abe",
            "redirectUris": ["https://altouraremoteacs.azurewebsites.net/auth/callback"],
            "applicationIdUri": .string("api://altouraremoteacs.azurewebsites.net/\(clientId)"),
            "scope": "access_as_user",
            "acsConnectionString": .string("endpoint=https://contoso.communication.azure.com/;accesskey=\(key88)"),
            "acsEndpoint": "https://contoso.communication.azure.com/",
        ]
        for (key, value) in changes { members[key] = value }
        return .object(members)
    }

    static func fields(_ changes: [String: JSONValue?]) -> Set<String> {
        do {
            _ = try HandoffValues.validate(document(changes))
            return []
        } catch {
            return Set(error.problems.map(\.field))
        }
    }

    @Test("Normalises GUIDs, the full scope form and the endpoint's slash and case")
    func normalisation() throws {
        let values = try HandoffValues.validate(Self.document([
            "clientId": .string(Self.clientId.uppercased()),
            "teamsAppObjectId": "4528B339-EDB4-4292-BAFD-D002D49EE0C0",
            "scope": .string("api://altouraremoteacs.azurewebsites.net/\(Self.clientId)/access_as_user"),
            "acsEndpoint": "https://Contoso.communication.azure.com",
        ]))
        #expect(values.clientId == Self.clientId)
        #expect(values.teamsAppObjectId == "4528b339-edb4-4292-bafd-d002d49ee0c0")
        #expect(values.scope == "access_as_user")
        #expect(values.acsEndpoint == "https://contoso.communication.azure.com/")
        #expect(!values.description.contains(Self.key88))
    }

    @Test("Each broken value is reported under its own field", arguments: [
        (["clientId": "{14a03569-d26b-4496-92e5-dfe8cb1855fe}"], "clientId"),
        (["tenantId": "096d3737-42f9-4039-8320-a4737c2b3abé"], "tenantId"),
        (["tenantId": 42], "tenantId"),
        (["teamsAppObjectId": "nope"], "teamsAppObjectId"),
        (["redirectUris": "https://a.example/"], "redirectUris"),
        (["redirectUris": ["https://a.example/x", "https://a.example/x"]], "redirectUris"),
        (["redirectUris": ["https://a.example/cb(1)"]], "redirectUris"),
        (["redirectUris": ["https://user@a.example/"]], "redirectUris"),
        (["redirectUris": ["https://a.example/ spaced"]], "redirectUris"),
        (["redirectUris": ["/relative"]], "redirectUris"),
        (["redirectUris": .array(Array(repeating: "https://a.example/", count: 257))], "redirectUris"),
        (["applicationIdUri": "api://altouraremoteacs.azurewebsites.net/14a03569-d26b-4496-92e5-dfe8cb1855fe/"], "applicationIdUri"),
        (["applicationIdUri": "https://altouraremoteacs.azurewebsites.net/14a03569-d26b-4496-92e5-dfe8cb1855fe"], "applicationIdUri"),
        (["scope": "api://elsewhere.example/x/access_as_user"], "scope"),
        (["acsConnectionString": .string("endpoint=https://contoso.communication.azure.com/;accesskey=\(key88);accesskey=\(key88)")], "acsConnectionString"),
        (["acsConnectionString": .string("endpoint=https://contoso.communication.azure.com/;accesskey=QUJD")], "acsConnectionString"),
        (["acsConnectionString": .string("endpoint=https://contoso.communication.azure.com/;accesskey=\(key88);region=x")], "acsConnectionString"),
        (["acsConnectionString": .string("endpoint=http://contoso.communication.azure.com/;accesskey=\(key88)")], "acsConnectionString"),
        (["acsEndpoint": "https://contoso.communication.azure.com.evil.example/"], "acsEndpoint"),
        (["acsEndpoint": "https://contoso.communication.azure.com/path"], "acsEndpoint"),
        (["acsEndpoint": nil], "acsEndpoint"),
        (["scop": "access_as_user"], "scop"),
    ] as [([String: JSONValue?], String)])
    func reported(changes: [String: JSONValue?], field: String) {
        #expect(Self.fields(changes).contains(field))
    }

    @Test("Accepts http on localhost, .azure.us hosts, padding-free keys and empty pairs in the connection string")
    func accepted() {
        #expect(Self.fields(["redirectUris": ["http://localhost:3978/auth", "https://a.example:8443/x?y=1"]]).isEmpty)
        #expect(Self.fields([
            "acsConnectionString": .string(";;AccessKey=\(Self.key88);ENDPOINT=https://gov.communication.azure.us/;"),
            "acsEndpoint": "https://gov.communication.azure.us",
        ]).isEmpty)
    }

    @Test("A different hosting domain changes the Application ID URI rule")
    func hostingDomain() throws {
        let rules = ValueRules(hostingDomain: "Teams.Example.com")
        let document = Self.document(["applicationIdUri": .string("api://teams.example.com/\(Self.clientId)")])
        #expect((try? HandoffValues.validate(document, rules: rules)) != nil)
        #expect(throws: ValuesInvalid.self) { try HandoffValues.validate(document) }
    }

    @Test("A document that is not an object, or too large, is one problem with field $")
    func wholeDocument() {
        for document in [Array("[]".utf8), Array("\"x\"".utf8), [UInt8](repeating: 0x20, count: HandoffValues.maximumDocumentSize + 1)] {
            do {
                _ = try HandoffValues.validate(document: document)
                Issue.record("accepted a non-object")
            } catch {
                #expect(error.problems.map(\.field) == ["$"])
            }
        }
    }
}

@Suite("Sealed payload")
struct SealedPayloadTests {
    static func values() throws -> HandoffValues {
        try HandoffValues.validate(ValuesRulesTests.document())
    }

    @Test("Opens for the handoff it names, and refuses to open for another")
    func handoffBinding() throws {
        let generator = try SealingKeyPair.generate()
        let sealed = try SealedPayload(handoffId: "h-1", sealedAt: "2026-11-26T12:00:00Z", values: try Self.values())
            .seal(to: generator.publicKey)
        let opened = try SealedPayload.open(sealed, with: generator, expectedHandoffId: "h-1")
        #expect(opened.values == (try Self.values()))
        let error = #expect(throws: FormatError.self) {
            try SealedPayload.open(sealed, with: generator, expectedHandoffId: "h-2")
        }
        #expect(error?.code == .payloadHandoffMismatch)
        let wrongKey = #expect(throws: FormatError.self) {
            try SealedPayload.open(sealed, with: try SealingKeyPair.generate(), expectedHandoffId: "h-1")
        }
        #expect(wrongKey?.code == .payloadUnopenable)
    }

    @Test("Refuses a box whose plaintext is not a canonical v1 payload", arguments: [
        #"{"v":1, "handoffId":"h-1","sealedAt":"t","values":{}}"#,
        #"{"handoffId":"h-1","sealedAt":"t","v":2,"values":{}}"#,
        #"{"extra":1,"handoffId":"h-1","sealedAt":"t","v":1,"values":{}}"#,
        "not json",
    ])
    func malformed(plaintext: String) throws {
        let generator = try SealingKeyPair.generate()
        let sealed = try SealedBox.seal(try SecretBytes(copying: Array(plaintext.utf8)), to: generator.publicKey)
        let error = #expect(throws: FormatError.self) {
            try SealedPayload.open(sealed, with: generator, expectedHandoffId: "h-1")
        }
        #expect(error?.code == .payloadMalformed)
    }

    @Test("Refuses a canonical payload whose values break the rules")
    func invalidValues() throws {
        let generator = try SealingKeyPair.generate()
        let text = #"{"handoffId":"h-1","sealedAt":"t","v":1,"values":{"clientId":"x"}}"#
        let sealed = try SealedBox.seal(try SecretBytes(copying: Array(text.utf8)), to: generator.publicKey)
        let error = #expect(throws: FormatError.self) {
            try SealedPayload.open(sealed, with: generator, expectedHandoffId: "h-1")
        }
        #expect(error?.code == .payloadValuesInvalid)
    }
}
