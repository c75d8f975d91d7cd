import AsyncHTTPClient
import Foundation
import HandoffDomain
import NIOCore
import NIOHTTP1
import NIOSSL

/// A raw HTTPS client for tests that must send what the CLI never would, with the dev CA trusted
/// and full certificate verification (unlike HummingbirdTesting's `.ahc(.https)`).
final class TestHTTP: Sendable {
    let client: HTTPClient

    private init(caFile: String) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
    }

    /// Runs `body` with a client that trusts `caFile`, and shuts the client down afterwards,
    /// whether `body` returned or threw (without blocking a thread).
    static func with<Result>(caFile: String, _ body: (TestHTTP) async throws -> Result) async throws -> Result {
        let http = try TestHTTP(caFile: caFile)
        do {
            let result = try await body(http)
            try await http.client.shutdown()
            return result
        } catch {
            try? await http.client.shutdown()
            throw error
        }
    }

    /// The body of a GET as text.
    func text(_ url: String) async throws -> String {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        return String(buffer: try await response.body.collect(upTo: 1 << 22))
    }

    /// Sends a request; returns the status and the parsed JSON body (if any).
    func send(_ method: String, _ url: String, token: String? = nil, body: JSONValue? = nil, rawBody: [UInt8]? = nil, contentType: String = "application/json") async throws -> (status: Int, json: JSONValue?, headers: HTTPHeaders) {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let bytes = rawBody ?? body.map({ CanonicalJSON.encode($0) }) {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), try? JSONParser.parse(Array(buffer: buffer)), response.headers)
    }
}
