import CWebPage
import Foundation
import HandoffDomain
import Hummingbird
import NIOCore
import VaultCrypto

/// The customer's web page (DESIGN.md, "The customer's web page"), served from the binary: the
/// files of `WebPage/CWebPage/assets` under names that carry their SHA-256 (so they can be cached
/// for ever), and `index.html` naming them with Subresource Integrity hashes.
struct WebPage: Sendable {
    /// One file as served.
    struct Asset: Sendable {
        let name: String
        let bytes: ByteBuffer
        let contentType: String
        /// `sha256-<base64>`, for `integrity` attributes.
        let integrity: String
    }

    /// The policy every response carries: nothing from anywhere but this origin, scripts only
    /// from files (plus compiling the rules' WebAssembly), no framing, no forms posting anywhere.
    static let contentSecurityPolicy = policy(signIn: nil)

    /// The policy, whose `connect-src` adds exactly the sign-in authority, Microsoft Graph and Azure
    /// Resource Manager when Sign in with Microsoft is configured (the page redeems the code and
    /// reads the authority's keys there, the app registration from Graph for the live check, and
    /// the Communication Services resource from Resource Manager to fill the form).
    static func policy(signIn: SignInSettings?) -> String {
        var origins = ["'self'"]
        for origin in [signIn?.authority, signIn?.graph, signIn?.arm].compactMap({ $0 }) where !origins.contains(origin) { origins.append(origin) }
        return "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; "
            + "connect-src \(origins.joined(separator: " ")); base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    /// The page as the vault serves it at `/`.
    let index: ByteBuffer
    /// The sign-in popup's landing page, `/signin`.
    let signInPage: ByteBuffer
    /// The auditor's page, `/audit`.
    let auditPage: ByteBuffer
    let assets: [String: Asset]
    /// The page's code digest, shown in its footer: SHA-256 of the `sha256sum` listing of
    /// `handoff.wasm`, `page.css`, `page.js` and `signin.js` (`sha256sum handoff.wasm page.css
    /// page.js signin.js | sha256sum` over the files as built), hex.
    let codeDigest: String
    /// `index.html` with its placeholders but the vault's own (`{{vaultOrigin}}`, `{{policy}}`) filled.
    private let template: String

    /// The page, prepared once per process (its files are in the binary; hashing them fails only
    /// if libsodium does, and then the page answers 503 rather than the process stopping).
    private static let prepared: WebPage? = try? WebPage()

    /// The page as served, or a 503 problem.
    static func served() throws -> WebPage {
        guard let page = prepared else {
            throw APIProblem(.serviceUnavailable, code: "server.page_unavailable", title: "Page unavailable", detail: "the page's files could not be prepared")
        }
        return page
    }

    init() throws {
        func asset(_ file: hv_asset, stem: String, suffix: String, type: String) throws -> Asset {
            let bytes = Array(UnsafeBufferPointer(start: file.bytes, count: file.size))
            let digest = try SHA256.hash(bytes)
            return Asset(
                name: "\(stem)-\(Hex.encode(digest.prefix(8))).\(suffix)", bytes: ByteBuffer(bytes: bytes),
                contentType: type, integrity: "sha256-" + Base64.encode(digest)
            )
        }
        let script = try asset(hv_asset_page_js(), stem: "page", suffix: "js", type: "text/javascript; charset=utf-8")
        let style = try asset(hv_asset_page_css(), stem: "page", suffix: "css", type: "text/css; charset=utf-8")
        let rules = try asset(hv_asset_handoff_wasm(), stem: "handoff", suffix: "wasm", type: "application/wasm")
        let signIn = try asset(hv_asset_signin_js(), stem: "signin", suffix: "js", type: "text/javascript; charset=utf-8")
        let audit = try asset(hv_asset_audit_js(), stem: "audit", suffix: "js", type: "text/javascript; charset=utf-8")
        let listing = try [(rules, "handoff.wasm"), (style, "page.css"), (script, "page.js"), (signIn, "signin.js")].map { asset, file in
            "\(Hex.encode(try SHA256.hash(Array(asset.bytes.readableBytesView))))  \(file)\n"
        }.joined()
        codeDigest = Hex.encode(try SHA256.hash(Array(listing.utf8)))
        let file = hv_asset_index_html()
        var html = String(decoding: UnsafeBufferPointer(start: file.bytes, count: file.size), as: UTF8.self)
        for (key, value) in [
            ("script", script.name), ("scriptIntegrity", script.integrity), ("style", style.name), ("styleIntegrity", style.integrity),
            ("rules", rules.name), ("rulesIntegrity", rules.integrity), ("codeDigest", codeDigest),
        ] {
            html = html.replacingOccurrences(of: "{{\(key)}}", with: value)
        }
        template = html
        assets = Dictionary(uniqueKeysWithValues: [script, style, rules, signIn, audit].map { ($0.name, $0) })
        let auditFile = hv_asset_audit_html()
        var auditHTML = String(decoding: UnsafeBufferPointer(start: auditFile.bytes, count: auditFile.size), as: UTF8.self)
        for (key, value) in [
            ("script", audit.name), ("scriptIntegrity", audit.integrity), ("style", style.name), ("styleIntegrity", style.integrity),
            ("rules", rules.name), ("rulesIntegrity", rules.integrity),
        ] {
            auditHTML = auditHTML.replacingOccurrences(of: "{{\(key)}}", with: value)
        }
        auditPage = ByteBuffer(string: auditHTML)
        signInPage = ByteBuffer(string: """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Signing in — Handoff Vault</title><link rel="stylesheet" href="/assets/\(style.name)" integrity="\(style.integrity)"></head>
            <body><main><p id="signin-status" role="status">Finishing the sign-in…</p></main>
            <script src="/assets/\(signIn.name)" integrity="\(signIn.integrity)"></script></body></html>
            """)
        index = ByteBuffer(string: Self.render(template, vaultOrigin: "", assetBase: "/assets/", policy: ""))
    }

    private static func render(_ template: String, vaultOrigin: String, assetBase: String, policy: String) -> String {
        template.replacingOccurrences(of: "{{vaultOrigin}}", with: vaultOrigin)
            .replacingOccurrences(of: "{{assetBase}}", with: assetBase)
            .replacingOccurrences(of: "{{policy}}", with: policy)
    }

    /// The policy of the static bundle (a `<meta>` element: a static host may add none of its
    /// own): the same as the vault's, but it may also connect to `vaultOrigin`, the API ('self'
    /// stays for its own WebAssembly).
    static func bundlePolicy(vaultOrigin: String) -> String {
        contentSecurityPolicy.replacingOccurrences(of: "connect-src 'self'", with: "connect-src 'self' \(vaultOrigin)")
            .replacingOccurrences(of: "; frame-ancestors 'none'", with: "")  // ignored in <meta>; set it on the host
    }

    /// The page as a folder for a static host (`handoffd web-bundle`): `index.html`, whose API is
    /// `vaultOrigin` and whose policy is in a `<meta>` element, and `assets/` with the same files
    /// and names the vault serves. The same binary and origin always give the same bytes.
    func bundle(vaultOrigin: String) -> [(path: String, bytes: [UInt8])] {
        let policy = "<meta http-equiv=\"Content-Security-Policy\" content=\"\(Self.bundlePolicy(vaultOrigin: vaultOrigin))\">"
        let html = Self.render(template, vaultOrigin: vaultOrigin, assetBase: "assets/", policy: policy)
        return [("index.html", Array(html.utf8))] + assets.values.sorted { $0.name < $1.name }.map { ("assets/\($0.name)", Array($0.bytes.readableBytesView)) }
    }

    /// `GET /`: the page itself, never cached (it names the current assets).
    func page() -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: index))
    }

    /// `GET /audit`: the auditor's page; never cached (it names the current assets).
    func auditorPage() -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: auditPage))
    }

    /// `GET /signin`: where the sign-in popup lands; never cached, never indexed.
    func signInLanding() -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: signInPage))
    }

    /// `GET /assets/{name}`: a hashed file, cached for a year and never revalidated.
    func asset(named name: String) throws -> Response {
        guard let asset = assets[name] else { throw APIProblem.notFound("no such file") }
        return Response(
            status: .ok,
            headers: [.contentType: asset.contentType, .cacheControl: "public, max-age=31536000, immutable"],
            body: .init(byteBuffer: asset.bytes)
        )
    }
}
