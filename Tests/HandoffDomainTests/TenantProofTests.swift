import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto

/// The tenant proof's format (payload v2, its nonce, the invite's sign-in fields) and its claims
/// checks. The signature is checked before these (jwt-kit, in the CLI); the generator's end-to-end
/// refusals, with tokens minted by PyJWT, are in the end-to-end suite.
@Suite("Tenant proof")
struct TenantProofTests {
    static let vectorURL = TestPaths.vectors.appendingPathComponent("tenant-proof.json")

    @Test("The committed v2 vector: PyNaCl sealed it, the nonce is the binding text's SHA-256, the payload re-encodes byte for byte")
    func vector() throws {
        let vector = try #require(try JSONParser.parse(Array(try Data(contentsOf: Self.vectorURL))).objectValue)
        let base = try #require(try JSONParser.parse(Array(try Data(contentsOf: SealedPayloadInteropTests.vectorURL))).objectValue)
        let keyPair = try SealingKeyPair(secretKey: Base64.decodeSecret(try #require(base["recipientSecretKey"]?.stringValue)))
        let handoffId = try #require(vector["handoffId"]?.stringValue)
        let salt = try #require(vector["nonceSalt"]?.stringValue)
        #expect(try TenantProof.nonce(handoffId: handoffId, nonceSalt: salt) == vector["nonce"]?.stringValue)
        let payload = try SealedPayload.open(Base64.decode(try #require(vector["sealed"]?.stringValue)), with: keyPair, expectedHandoffId: handoffId)
        #expect(payload.tenantProof?.nonceSalt == salt)
        let jws = try CompactJWS(parsing: try #require(payload.tenantProof?.idToken))
        #expect(jws.claims["nonce"]?.stringValue == vector["nonce"]?.stringValue)
        #expect(try jws.rs256KeyId() == "vector-key")
        let reencoded = try payload.canonicalBytes().withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        #expect(reencoded == vector["payload"]?.stringValue)
    }

    @Test("A v2 payload's proof must be {idToken, nonceSalt} with a 16-byte salt")
    func proofShape() throws {
        #expect(throws: FormatError.self) { try TenantProof(json: ["idToken": "a.b.c", "nonceSalt": "AAEC"]) }
        #expect(throws: FormatError.self) { try TenantProof(json: ["idToken": "a.b.c"]) }
        #expect(throws: FormatError.self) { try TenantProof(json: ["idToken": "", "nonceSalt": "AAECAwQFBgcICQoLDA0ODw"]) }
        let salt = try TenantProof.newNonceSalt()
        #expect(try TenantProof(json: ["idToken": "a.b.c", "nonceSalt": .string(salt)]).nonceSalt == salt)
        for text in ["a.b", "not a token", "e30.e30", "!!.e30.AA"] {
            let refused = #expect(throws: FormatError.self) { try CompactJWS(parsing: text) }
            #expect(refused?.code == .tenantProofRefused)
        }
    }

    static let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let handoffId = "5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77"
    static let salt = "AAECAwQFBgcICQoLDA0ODw"
    static let clientId = "11111111-2222-3333-4444-555555555555"
    static let check = TenantProofCheck(
        clientId: clientId, authority: "https://login.example.test/", handoffId: handoffId, valuesTenantId: tenant.uppercased(),
        pinnedTenantId: nil, handoffCreatedAt: 1_000_000, receivedAt: 1_010_000
    )

    static func claims(_ changes: [String: JSONValue] = [:], removing removed: [String] = []) throws -> [String: JSONValue] {
        var claims: [String: JSONValue] = [
            "iss": .string("https://login.example.test/\(tenant)/v2.0"), "aud": .string(clientId), "tid": .string(tenant),
            "oid": "0b9c", "preferred_username": "alice@contoso.example", "name": "Alice", "ver": "2.0",
            "nonce": .string(try TenantProof.nonce(handoffId: handoffId, nonceSalt: salt)),
            "iat": .integer(1_009_000), "nbf": .integer(1_009_000), "exp": .integer(1_012_600), "wids": ["62e90394-69f5-4237-9190-012177145e10"],
        ]
        for (name, value) in changes { claims[name] = value }
        for name in removed { claims[name] = nil }
        return claims
    }

    @Test("A proof that holds says who signed in, bound by its nonce (or, without one, by its time)")
    func holds() throws {
        let verified = try Self.check.verify(claims: try Self.claims(), nonceSalt: Self.salt)
        #expect(verified == VerifiedSignIn(
            tenantId: Self.tenant, user: "alice@contoso.example", name: "Alice", objectId: "0b9c",
            adminRoles: ["62e90394-69f5-4237-9190-012177145e10"], binding: .nonce
        ))
        #expect(try Self.check.verify(claims: try Self.claims(removing: ["nonce"]), nonceSalt: Self.salt).binding == .time)
        let issuer = JSONValue.string("https://login.example.test/\(Self.tenant)/v2.0")
        #expect(try Self.check.verify(claims: try Self.claims(["idp": issuer]), nonceSalt: Self.salt).binding == .nonce, "idp equal to iss is no guest")
        #expect(try Self.check.verify(claims: try Self.claims(["aud": [.string(Self.clientId)]]), nonceSalt: Self.salt).tenantId == Self.tenant,
                "an audience array of the one app (OpenID Connect's other form)")
        let several = #expect(throws: FormatError.self) {
            try Self.check.verify(claims: try Self.claims(["aud": [.string(Self.clientId), "another-app"]]), nonceSalt: Self.salt)
        }
        #expect(several?.reason.contains("(aud)") == true, "a token for several apps is no proof for this one")
    }

    @Test("Each claim that does not hold is refused with a reason that names it",
          arguments: [
              ("iss", JSONValue.string("https://login.example.test/common/v2.0"), "issued by"),
              ("aud", .string("99999999-2222-3333-4444-555555555555"), "another app (aud)"),
              ("tid", .string("1b2c3d4e-0000-4000-8000-000000000000"), "issued by"),
              ("idp", .string("https://sts.windows.net/aaaaaaaa-0000-4000-8000-000000000000/"), "guest"),
              ("nonce", .string("c29tZXRoaW5nIGVsc2U"), "nonce is for another handoff"),
              ("iat", .integer(1_010_400), "issued after"),
              ("exp", .integer(1_009_600), "expired before"),
              ("tid", .null, "no tenant"),
          ] as [(String, JSONValue, String)])
    func refusals(claim: String, value: JSONValue, reason: String) throws {
        let refused = #expect(throws: FormatError.self) { try Self.check.verify(claims: try Self.claims([claim: value]), nonceSalt: Self.salt) }
        #expect(refused?.code == .tenantProofRefused)
        #expect(refused?.reason.contains(reason) == true, "\(claim): \(refused?.reason ?? "")")
    }

    @Test("Tenants: the values' tenant, the invite's pinned tenant, never personal accounts; device code only inside the handoff's time")
    func tenants() throws {
        let other = "1b2c3d4e-0000-4000-8000-000000000000"
        func issued(in tenant: String) throws -> [String: JSONValue] {
            try Self.claims(["tid": .string(tenant), "iss": .string("https://login.example.test/\(tenant)/v2.0")])
        }
        let wrongValues = #expect(throws: FormatError.self) { try Self.check.verify(claims: try issued(in: other), nonceSalt: Self.salt) }
        #expect(wrongValues?.reason.contains("the values name tenant \(Self.tenant)") == true)
        let personal = #expect(throws: FormatError.self) {
            try Self.check.verify(claims: try issued(in: TenantProofCheck.personalAccountsTenant), nonceSalt: Self.salt)
        }
        #expect(personal?.reason.contains("personal Microsoft account") == true)
        let pinned = TenantProofCheck(
            clientId: Self.clientId, authority: "https://login.example.test", handoffId: Self.handoffId, valuesTenantId: Self.tenant,
            pinnedTenantId: other, handoffCreatedAt: 1_000_000, receivedAt: 1_010_000
        )
        let wrongPin = #expect(throws: FormatError.self) { try pinned.verify(claims: try Self.claims(), nonceSalt: Self.salt) }
        #expect(wrongPin?.reason.contains("the invite was made for tenant \(other)") == true)
        let early = #expect(throws: FormatError.self) {
            try Self.check.verify(claims: try Self.claims(["iat": .integer(990_000)], removing: ["nonce"]), nonceSalt: Self.salt)
        }
        #expect(early?.reason.contains("no nonce") == true)
    }

    @Test("Invites carry the sign-in fields canonically; older invites still decode; a bad sign-in field is refused")
    func inviteFields() throws {
        let invite = InviteCode(
            handoffId: Self.handoffId, recipientKey: try SealingKeyPair.generate().publicKey, server: "https://vault.example.test",
            serverKey: try SigningKeyPair.generate().publicKey, token: try BearerToken.generate(for: .customer),
            signIn: SignInSettings(clientId: Self.clientId), tenantProof: .required, tenantId: Self.tenant,
            redirectUri: "https://altouraremoteacs.azurewebsites.net/auth-end", appIdUriHost: "altouraremoteacs.azurewebsites.net"
        )
        let decoded = try InviteCode(decoding: invite.encoded())
        #expect(decoded == invite)
        #expect(decoded.signIn?.authority == "https://login.microsoftonline.com")
        let plain = InviteCode(
            handoffId: Self.handoffId, recipientKey: invite.recipientKey, server: invite.server, serverKey: invite.serverKey, token: invite.token
        )
        #expect(try InviteCode(decoding: plain.encoded()).signIn == nil)

        func tampered(_ change: (inout [String: JSONValue]) -> Void) throws -> String {
            var members = try #require(try JSONParser.parse(Base64.decode(String(invite.encoded().dropFirst(4)), .urlSafeUnpadded)).objectValue)
            change(&members)
            return InviteCode.prefix + Base64.encode(CanonicalJSON.encode(.object(members)), .urlSafeUnpadded)
        }
        for change in [
            { (m: inout [String: JSONValue]) in m["tenantProof"] = "sometimes" },
            { m in m["tenantId"] = "not-a-guid" },
            { m in m["signIn"] = ["clientId": .string(Self.clientId), "authority": "http://login.example", "graph": "https://g", "arm": "https://a"] },
            { m in m["signIn"] = nil },
            { m in m["redirectUri"] = "http://plain.example/callback" },
        ] as [(inout [String: JSONValue]) -> Void] {
            let refused = #expect(throws: FormatError.self) { try InviteCode(decoding: try tampered(change)) }
            #expect(refused?.code == .inviteMalformed)
        }
    }
}
