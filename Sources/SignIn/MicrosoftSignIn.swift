import Foundation
import HandoffDomain
import VaultClient
import VaultCrypto

/// Sign in with Microsoft as a public client of Altoura's sign-in app (DESIGN.md, "Sign in with
/// Microsoft"): authorization code with PKCE and a loopback redirect, or the device code (RFC 8628,
/// never the default: Microsoft advises tenants to block it). Answers the ID token; checking it is
/// `TenantProofVerifier`'s. Entra's endpoints under the authority, tenant `organizations`.
package struct MicrosoftSignIn: Sendable {
    package let settings: SignInSettings
    /// A private CA to trust (tests; the real authority is in the system's store).
    package let caFile: String?
    /// Tells the person at the terminal something (standard error).
    package let tell: @Sendable (String) -> Void

    package init(settings: SignInSettings, caFile: String?, tell: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.caFile = caFile
        self.tell = tell
    }

    static let endpoints = "/organizations/oauth2/v2.0"
    static let scope = "openid profile"

    /// Resource scopes to ask for besides the ID token (the live check's Graph scopes); the token
    /// endpoint then also answers an access token for that resource.
    package var resourceScopes: [String] = []

    private var scopes: String { ([Self.scope] + resourceScopes).joined(separator: " ") }
    /// How long the browser may take.
    static let browserWait: Int64 = 300

    /// The ID token of a browser sign-in whose `nonce` is `nonce`. `openBrowser` opens the URL
    /// (false: it could not, so the URL is printed); with `printOnly` it is only printed.
    package func authorizationCode(nonce: String, printOnly: Bool, openBrowser: @Sendable (String) -> Bool) async throws -> SignInTokens {
        let verifier = Base64.encode(try RandomBytes.generate(count: 32), .urlSafeUnpadded)
        let challenge = Base64.encode(try SHA256.hash(Array(verifier.utf8)), .urlSafeUnpadded)
        let state = Base64.encode(try RandomBytes.generate(count: 16), .urlSafeUnpadded)
        let redirect = try await LoopbackRedirect.start()
        let url = settings.authority + Self.endpoints + "/authorize?" + VaultClient.formEncoded([
            ("client_id", settings.clientId), ("response_type", "code"), ("redirect_uri", redirect.redirectURI), ("response_mode", "query"),
            ("scope", scopes), ("state", state), ("nonce", nonce), ("code_challenge", challenge), ("code_challenge_method", "S256"),
            ("prompt", "select_account"),
        ])
        if printOnly || !openBrowser(url) {
            tell("Open this address in a browser to sign in with Microsoft (waiting up to \(Self.browserWait / 60) minutes):\n  \(url)")
        } else {
            tell("A browser window opened to sign in with Microsoft; waiting up to \(Self.browserWait / 60) minutes…")
        }
        let query: [String: String]
        do {
            query = try await redirect.wait(seconds: Self.browserWait)
            await redirect.close()
        } catch {
            await redirect.close()
            throw error
        }
        if let error = query["error"] {
            throw error == "access_denied"
                ? SignInError(.declined, "the sign-in was declined or cancelled in the browser")
                : SignInError(.failed, "Microsoft refused the sign-in (\(Self.safe(error)))")
        }
        guard query["state"] == state, let code = query["code"], !code.isEmpty else {
            throw SignInError(.failed, "the browser came back without this sign-in's answer (state differs); try again")
        }
        return try await tokens([
            ("client_id", settings.clientId), ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect.redirectURI),
            ("code_verifier", verifier), ("scope", scopes),
        ])
    }

    /// The ID token of a device-code sign-in: Microsoft's message is shown, then the token
    /// endpoint is polled at the interval it gives (slower when told to) until the admin signs
    /// in, declines, or the code expires.
    package func deviceCode() async throws -> SignInTokens {
        try await withAuthority { client in try await self.deviceCode(client) }
    }

    private func deviceCode(_ client: VaultClient) async throws -> SignInTokens {
        let (status, json) = try await client.postForm(Self.endpoints + "/devicecode", [("client_id", settings.clientId), ("scope", scopes)])
        guard status == 200, let answer = json.objectValue, let device = answer["device_code"]?.stringValue,
              let message = answer["message"]?.stringValue
        else {
            throw SignInError(.failed, "Microsoft did not start a device-code sign-in (\(Self.safe(json.objectValue?["error"]?.stringValue ?? "no reason")))")
        }
        tell(Self.printable(message))
        var interval = max(1, min(answer["interval"]?.integerValue ?? 5, 60))
        let deadline = Date().addingTimeInterval(TimeInterval(max(60, min(answer["expires_in"]?.integerValue ?? 900, 1800))))
        while Date() < deadline {
            try await Task.sleep(for: .seconds(interval))
            let (status, json) = try await client.postForm(Self.endpoints + "/token", [
                ("client_id", settings.clientId), ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", device),
            ])
            if status == 200 { return try Self.tokens(in: json) }
            switch json.objectValue?["error"]?.stringValue {
            case "authorization_pending": continue
            case "slow_down": interval += 5
            case "authorization_declined": throw SignInError(.declined, "the sign-in was declined on the device-code page")
            case "expired_token": throw SignInError(.expired, "the device code expired before anyone signed in with it")
            case let other: throw SignInError(.failed, "Microsoft refused the device-code sign-in (\(Self.safe(other ?? "no reason")))")
            }
        }
        throw SignInError(.expired, "the device code expired before anyone signed in with it")
    }

    /// Redeems a grant at the token endpoint for the ID token (and an access token, when resource
    /// scopes were asked for).
    private func tokens(_ fields: [(String, String)]) async throws -> SignInTokens {
        let (status, json) = try await withAuthority { client in try await client.postForm(Self.endpoints + "/token", fields) }
        guard status == 200 else {
            throw SignInError(.failed, "Microsoft did not give a token for the sign-in (\(Self.safe(json.objectValue?["error"]?.stringValue ?? "no reason")))")
        }
        return try Self.tokens(in: json)
    }

    /// Runs `body` with a client of the authority, shut down afterwards whatever happens.
    private func withAuthority<T: Sendable>(_ body: (VaultClient) async throws -> T) async throws -> T {
        let client = try VaultClient(server: settings.authority, caFile: caFile, token: nil)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    private static func tokens(in json: JSONValue) throws -> SignInTokens {
        guard let token = json.objectValue?["id_token"]?.stringValue, !token.isEmpty else {
            throw SignInError(.failed, "Microsoft's answer holds no ID token (is openid among the app's permissions?)")
        }
        return SignInTokens(idToken: token, accessToken: json.objectValue?["access_token"]?.stringValue)
    }

    /// An OAuth error code as shown: letters, digits and underscores only.
    static func safe(_ text: String) -> String {
        String(text.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == "_" }.prefix(64).map(Character.init))
    }

    /// Provider text without control characters (it reaches a terminal).
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.prefix(500).map(Character.init))
    }
}

/// What a sign-in answers: the ID token (the tenant proof) and, when resource scopes were asked
/// for, the access token for that resource. Both are credentials: kept in memory, never logged.
package struct SignInTokens: Sendable {
    package let idToken: String
    package let accessToken: String?
}

extension IssuerKeys {
    /// The keys the authority publishes (`/organizations/discovery/v2.0/keys`).
    package static func fetch(authority: String, caFile: String?) async throws -> IssuerKeys {
        let client = try VaultClient(server: authority, caFile: caFile, token: nil)
        do {
            let json = try await client.getJSON("/organizations/discovery/v2.0/keys")
            await client.shutdown()
            return try IssuerKeys(jwks: json)
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
