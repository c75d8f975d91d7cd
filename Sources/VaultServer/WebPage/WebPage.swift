import CWebPage
import Foundation
import Hummingbird
import NIOCore
import VaultCrypto

/// The customer's web page (DESIGN.md, "The customer's web page"), served from the binary: the
/// files of `Sources/CWebPage/assets` under names that carry their SHA-256 (so they can be cached
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
    static let contentSecurityPolicy = """
        default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; \
        connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'
        """

    let index: ByteBuffer
    let assets: [String: Asset]

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
        let template = hv_asset_index_html()
        var html = String(decoding: UnsafeBufferPointer(start: template.bytes, count: template.size), as: UTF8.self)
        for (key, value) in [
            ("script", script.name), ("scriptIntegrity", script.integrity), ("style", style.name), ("styleIntegrity", style.integrity),
            ("rules", rules.name), ("rulesIntegrity", rules.integrity),
        ] {
            html = html.replacingOccurrences(of: "{{\(key)}}", with: value)
        }
        index = ByteBuffer(string: html)
        assets = Dictionary(uniqueKeysWithValues: [script, style, rules].map { ($0.name, $0) })
    }

    /// `GET /`: the page itself, never cached (it names the current assets).
    func page() -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: index))
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
