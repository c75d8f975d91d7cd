import Foundation
import HTTPTypes
import HandoffDomain
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
            let served = try WebPage.served()
            for asset in served.assets.values {
                #expect(html.contains("/assets/\(asset.name)") && html.contains(asset.integrity), "\(asset.name) named with its integrity")
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
}
