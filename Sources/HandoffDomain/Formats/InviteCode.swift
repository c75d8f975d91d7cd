import VaultCrypto

/// The one string an admin sends a customer: `hv1.` and base64url (no padding) of the canonical
/// JSON `{"handoffId","recipientKey","server","serverKey","token"}`, plus `"generatorSigningKey"` when
/// the registered generator has one.
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

    /// Creates an invite.
    package init(
        handoffId: String, recipientKey: SealingPublicKey, server: String, serverKey: SigningPublicKey, token: BearerToken,
        generatorSigningKey: SigningPublicKey? = nil
    ) {
        self.handoffId = handoffId
        self.recipientKey = recipientKey
        self.server = server
        self.serverKey = serverKey
        self.token = token
        self.generatorSigningKey = generatorSigningKey
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
              Set(members.keys).subtracting(["generatorSigningKey"]) == ["handoffId", "recipientKey", "server", "serverKey", "token"],
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
        self.init(
            handoffId: handoffId, recipientKey: recipientKey, server: server, serverKey: serverKey, token: token,
            generatorSigningKey: generatorSigningKey
        )
    }
}
