import Foundation
import HTTPTypes
import HandoffDomain
import NIOCore
import TestSupport
import Testing
import VaultCrypto
@testable import VaultServer
import VaultStore

/// The page as handoffd serves it from the binary, in-process: the policy headers on every
/// answer, hashed asset names with immutable caching and SRI hashes that match the bytes.
@Suite("Web page (in-process)")
struct WebPageTests {
    static let policy = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    @Test("GET / carries the strict policy, names hashed assets with SRI, and is never cached")
    func page() async throws {
        let vault = try await InProcessVault()
        try await vault.test { client in
            let page = try await client.send(.get, "/")
            #expect(page.status == 200 && page.contentType == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy] == Self.policy)
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            #expect(page.headers[.strictTransportSecurity] == "max-age=31536000")
            #expect(page.headers[.cacheControl] == "no-store")
            let html = String(decoding: page.body, as: UTF8.self)
            #expect(!html.contains("{{"), "every placeholder filled")
            let landing = try await client.send(.get, "/signin")
            #expect(landing.status == 200 && landing.headers[.contentSecurityPolicy] == Self.policy && landing.headers[.cacheControl] == "no-store")
            let landingHTML = String(decoding: landing.body, as: UTF8.self)
            let auditor = try await client.send(.get, "/audit")
            #expect(auditor.status == 200 && auditor.headers[.contentSecurityPolicy] == Self.policy && auditor.headers[.cacheControl] == "no-store")
            let auditorHTML = String(decoding: auditor.body, as: UTF8.self)
            #expect(!auditorHTML.contains("{{"), "every placeholder of the auditor's page filled")
            let served = try WebPage.served()
            for asset in served.assets.values {
                // The sign-in popup's script is named by its landing page, the auditor's by its
                // page; the rest by the page.
                let naming = asset.name.hasPrefix("signin-") ? landingHTML : asset.name.hasPrefix("audit-") ? auditorHTML : html
                #expect(naming.contains("/assets/\(asset.name)") && naming.contains(asset.integrity), "\(asset.name) named with its integrity")
                let answer = try await client.send(.get, "/assets/\(asset.name)")
                #expect(answer.status == 200 && answer.contentType == asset.contentType)
                #expect(answer.headers[.cacheControl] == "public, max-age=31536000, immutable")
                #expect(answer.headers[.contentSecurityPolicy] == Self.policy)
                #expect("sha256-" + Base64.encode(try SHA256.hash(answer.body)) == asset.integrity)
                #expect(asset.name.contains(Hex.encode(try SHA256.hash(answer.body).prefix(8))), "the name carries the hash")
            }
            #expect(Set(served.assets.keys.map { String($0.split(separator: ".").last!) }) == ["js", "css", "wasm"])
        }
    }

    @Test("Unknown assets are 404 problems; the favicon is an empty 204, not a refusal; API answers carry the policy too")
    func others() async throws {
        let vault = try await InProcessVault()
        try await vault.test { client in
            let missing = try await client.send(.get, "/assets/page-0000000000000000.js")
            #expect(missing.status == 404 && missing.contentType == "application/problem+json")
            let icon = try await client.send(.get, "/favicon.ico")
            #expect(icon.status == 204)
            let api = try await client.send(.get, "/v1/handoffs", token: vault.adminToken)
            #expect(api.headers[.contentSecurityPolicy] == Self.policy && api.headers[.cacheControl] == "no-store")
            let counted = vault.api.refusals.drainClosed(now: nil).reduce(0) { $0 + $1.count }
            #expect(counted == 1, "only the unknown asset counts as refused")
        }
    }

    @Test("CORS for exactly page_origin: its preflights answered (not counted as refusals), its answers readable; any other origin gets no CORS header",
          arguments: Backend.available)
    func pageOriginCORS(backend: Backend) async throws {
        let page = "https://onboarding.example.com"
        let vault = try await InProcessVault(limits: APILimits(refusalsPerWindow: 100_000, pageOrigin: page), backend: backend)
        try await vault.test { client in
            let invite = try await client.invite(admin: vault.adminToken)
            let path = "/v1/handoffs/\(invite.handoffId)/submissions"
            let allow = HTTPField.Name("Access-Control-Allow-Origin")!
            let preflight: HTTPFields = [HTTPField.Name("Origin")!: page, HTTPField.Name("Access-Control-Request-Method")!: "POST",
                                         HTTPField.Name("Access-Control-Request-Headers")!: "authorization, content-type"]
            let answered = try await client.send(.options, path, headers: preflight)
            #expect(answered.status == 204 && answered.headers[allow] == page, "\(answered.status)")
            #expect(answered.headers[HTTPField.Name("Access-Control-Allow-Methods")!]?.contains("POST") == true)
            #expect(answered.headers[HTTPField.Name("Access-Control-Allow-Headers")!] == "Authorization, Content-Type")
            #expect(answered.headers[HTTPField.Name("Access-Control-Allow-Credentials")!] == nil, "never credentials mode")
            let sent = try await client.send(.post, path, token: invite.token.withText { $0 }, json: try InProcessVault.submission(for: invite),
                                             headers: [HTTPField.Name("Origin")!: page])
            #expect(sent.status == 201 && sent.headers[allow] == page)
            #expect(vault.api.refusals.drainClosed(now: nil).isEmpty, "the page's preflight is no refusal")

            for other in ["https://evil.example", "https://onboarding.example.com.evil.example", "http://onboarding.example.com", "null"] {
                var headers = preflight
                headers[HTTPField.Name("Origin")!] = other
                let refused = try await client.send(.options, path, headers: headers)
                #expect(refused.headers[allow] == nil && refused.status >= 400, "\(other): \(refused.status)")
                let read = try await client.send(.get, "/v1/handoffs/\(invite.handoffId)", token: invite.token.withText { $0 },
                                                 headers: [HTTPField.Name("Origin")!: other])
                #expect(read.status == 200 && read.headers[allow] == nil, "\(other) may not read the answer")
            }
        }
        // Without page_origin nobody gets CORS.
        let plain = try await InProcessVault(backend: backend)
        try await plain.test { client in
            let answer = try await client.send(.get, "/v1/handoffs", token: plain.adminToken, headers: [HTTPField.Name("Origin")!: page])
            #expect(answer.status == 200 && answer.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == nil)
        }
    }

    @Test("With Sign in with Microsoft configured, connect-src adds exactly the authority, Microsoft Graph and Resource Manager, on every answer")
    func signInPolicy() async throws {
        let signIn = SignInSettings(clientId: "3f0a6c2e-8b1d-4e7a-9c55-1d2e3f4a5b6c", authority: "https://login.example.test")
        let vault = try await InProcessVault(limits: APILimits(refusalsPerWindow: 100_000, invites: InviteTemplate(signIn: signIn)))
        try await vault.test { client in
            for path in ["/", "/signin", "/healthz"] {
                let policy = try await client.send(.get, path).headers[.contentSecurityPolicy] ?? ""
                #expect(policy == Self.policy.replacingOccurrences(of: "connect-src 'self';", with: "connect-src 'self' https://login.example.test https://graph.microsoft.com https://management.azure.com;"), "\(path): \(policy)")
            }
        }
    }

    @Test("The page code digest is sha256sum's of the four code files; the bundle is the same files, its policy naming the vault")
    func bundle() throws {
        let served = try WebPage.served()
        let files = Dictionary(uniqueKeysWithValues: served.assets.values.map { ($0.name.split(separator: "-").first.map(String.init)! + "." + $0.name.split(separator: ".").last!, $0) })
        var listing = ""
        for name in ["handoff.wasm", "page.css", "page.js", "signin.js"] {
            let asset = try #require(files[name], "\(files.keys)")
            listing += "\(Hex.encode(try SHA256.hash(Array(asset.bytes.readableBytesView))))  \(name)\n"
        }
        #expect(served.codeDigest == Hex.encode(try SHA256.hash(Array(listing.utf8))))
        let bundle = served.bundle(vaultOrigin: "https://vault.example.com")
        let index = String(decoding: try #require(bundle.first { $0.path == "index.html" }).bytes, as: UTF8.self)
        #expect(index.contains("connect-src 'self' https://vault.example.com;"), "its own files and the vault, nothing else")
        #expect(index.contains(#"data-vault="https://vault.example.com""#) && index.contains(served.codeDigest) && !index.contains("{{"))
        #expect(Set(bundle.map(\.path)) == Set(["index.html"] + served.assets.keys.map { "assets/\($0)" }))
        #expect(String(decoding: served.index.readableBytesView, as: UTF8.self).contains(#"data-vault="""#), "the vault's own page talks to its own origin")
    }
}
