import VaultCrypto

/// The one string an admin sends a customer: `hv1.` and base64url (no padding) of the canonical
/// JSON `{"handoffId","recipientKey","server","serverKey","token"}`, plus `"generatorSigningKey"` when
/// the registered generator has one, and for sign-in (all optional, so older invites still work)
/// `"signIn"`, `"tenantProof"`, the pinned `"tenantId"` and Altoura's deployment constants
/// `"redirectUri"` and `"appIdUriHost"`.
///
/// It pins the generator's key and the server's signing key, so that a compromised server can
/// neither make the customer seal to another key, forge a receipt, nor hand over a package the
/// generator did not sign.
package struct InviteCode: Sendable, Equatable {
    /// The prefix that names the format version.
    package static let prefix = "hv1."

    package let handoffId: String
    /// The generator's X25519 key the values are sealed to.
    package let recipientKey: SealingPublicKey
    /// The server's https URL.
    package let server: String
    /// The server's Ed25519 key that signs receipts.
    package let serverKey: SigningPublicKey
    /// The customer's bearer token for this handoff.
    package let token: BearerToken
    /// The generator's Ed25519 key that signs the delivered package (absent for generators
    /// registered with a sealing key only: their packages cannot be verified, so not fetched).
    package let generatorSigningKey: SigningPublicKey?
    /// Altoura's sign-in app, when the vault offers Sign in with Microsoft.
    package let signIn: SignInSettings?
    /// Whether a tenant proof is required or offered (nil: not asked for).
    package let tenantProof: TenantProofPolicy?
    /// The customer's tenant, when the operator pinned it (lowercase GUID).
    package let tenantId: String?
    /// Altoura's redirect URI and Application ID URI host (Steps 2–3), when configured.
    package let redirectUri: String?
    package let appIdUriHost: String?

    /// Creates an invite.
    package init(
        handoffId: String, recipientKey: SealingPublicKey, server: String, serverKey: SigningPublicKey, token: BearerToken,
        generatorSigningKey: SigningPublicKey? = nil, signIn: SignInSettings? = nil, tenantProof: TenantProofPolicy? = nil,
        tenantId: String? = nil, redirectUri: String? = nil, appIdUriHost: String? = nil
    ) {
        self.handoffId = handoffId
        self.recipientKey = recipientKey
        self.server = server
        self.serverKey = serverKey
        self.token = token
        self.generatorSigningKey = generatorSigningKey
        self.signIn = signIn
        self.tenantProof = tenantProof
        self.tenantId = tenantId?.lowercased()
        self.redirectUri = redirectUri
        self.appIdUriHost = appIdUriHost?.lowercased()
    }

    /// The invite code text. It holds a bearer token: show it once, never log it.
    package func encoded() -> String {
        var members: [String: JSONValue] = [
            "handoffId": .string(handoffId),
            "recipientKey": .string(Base64.encode(recipientKey.bytes)),
            "server": .string(server),
            "serverKey": .string(Base64.encode(serverKey.bytes)),
            "token": .string(token.withText { $0 }),
        ]
        if let generatorSigningKey { members["generatorSigningKey"] = .string(Base64.encode(generatorSigningKey.bytes)) }
        if let signIn { members["signIn"] = signIn.jsonValue }
        if let tenantProof { members["tenantProof"] = .string(tenantProof.rawValue) }
        if let tenantId { members["tenantId"] = .string(tenantId) }
        if let redirectUri { members["redirectUri"] = .string(redirectUri) }
        if let appIdUriHost { members["appIdUriHost"] = .string(appIdUriHost) }
        return Self.prefix + Base64.encode(CanonicalJSON.encode(.object(members)), .urlSafeUnpadded)
    }

    /// Decodes and checks an invite code; refuses anything not exactly in the canonical form once
    /// what pasting adds (quotes, CRLF, wrapping, a byte order mark) is removed.
    package init(decoding text: String) throws(FormatError) {
        let trimmed = PastedCredential.cleaned(text)
        let malformed = FormatError(.inviteMalformed, "this is not a Handoff Vault invite code (it starts with hv1.); ask Altoura for a new one")
        guard trimmed.hasPrefix(Self.prefix), trimmed.utf8.count <= 4096,
              let bytes = try? Base64.decode(String(trimmed.dropFirst(Self.prefix.count)), .urlSafeUnpadded),
              let json = try? JSONParser.parse(bytes), CanonicalJSON.encode(json) == bytes,
              let members = json.objectValue,
              Set(members.keys).subtracting(Self.optionalMembers) == ["handoffId", "recipientKey", "server", "serverKey", "token"],
              let handoffId = members["handoffId"]?.stringValue, HandoffValues.isHandoffId(handoffId),
              let recipient = members["recipientKey"]?.stringValue.flatMap({ try? Base64.decode($0) }),
              let recipientKey = try? SealingPublicKey(bytes: recipient),
              let server = members["server"]?.stringValue, server.hasPrefix("https://"),
              let signing = members["serverKey"]?.stringValue.flatMap({ try? Base64.decode($0) }),
              let serverKey = try? SigningPublicKey(bytes: signing),
              let tokenText = members["token"]?.stringValue
        else { throw malformed }
        let token = BearerToken(text: tokenText)
        guard token.isWellFormed, token.claimedRole == .customer else { throw malformed }
        var generatorSigningKey: SigningPublicKey?
        if let text = members["generatorSigningKey"] {
            guard let bytes = text.stringValue.flatMap({ try? Base64.decode($0) }), let key = try? SigningPublicKey(bytes: bytes) else {
                throw malformed
            }
            generatorSigningKey = key
        }
        var signIn: SignInSettings?
        if let json = members["signIn"] {
            guard let settings = SignInSettings(json: json) else { throw malformed }
            signIn = settings
        }
        var tenantProof: TenantProofPolicy?
        if let json = members["tenantProof"] {
            guard let policy = json.stringValue.flatMap(TenantProofPolicy.init(rawValue:)), signIn != nil else { throw malformed }
            tenantProof = policy
        }
        let tenantId = members["tenantId"]?.stringValue
        let redirectUri = members["redirectUri"]?.stringValue
        let appIdUriHost = members["appIdUriHost"]?.stringValue
        guard (members["tenantId"] == nil || tenantId.map { HandoffValues.isGUID($0) && $0 == $0.lowercased() } == true),
              (members["redirectUri"] == nil || redirectUri.map { $0.hasPrefix("https://") && $0.utf8.count <= 512 } == true),
              (members["appIdUriHost"] == nil || appIdUriHost.map { !$0.isEmpty && $0.utf8.count <= 253 && !$0.contains("/") && $0 == $0.lowercased() } == true)
        else { throw malformed }
        self.init(
            handoffId: handoffId, recipientKey: recipientKey, server: server, serverKey: serverKey, token: token,
            generatorSigningKey: generatorSigningKey, signIn: signIn, tenantProof: tenantProof, tenantId: tenantId,
            redirectUri: redirectUri, appIdUriHost: appIdUriHost
        )
    }

    /// The members an invite may carry besides the five every invite has.
    static let optionalMembers: Set<String> = ["generatorSigningKey", "signIn", "tenantProof", "tenantId", "redirectUri", "appIdUriHost"]
}
