internal import AsyncHTTPClient
import Foundation
import HandoffDomain
internal import NIOCore
internal import NIOHTTP1
internal import NIOSSL
import VaultCrypto

/// The `/v1` API over HTTPS with certificate verification always on. Trust is the system's CA
/// store, or exactly the PEM file given as `caFile`.
public final class VaultClient: Sendable {
    private let http: HTTPClient
    private let base: String
    private let token: BearerToken?

    /// The largest response body read.
    static let maximumResponseSize = 1024 * 1024

    /// A client for `server` (an https URL), through the proxy that `environment` names.
    public init(server: String, caFile: String?, token: BearerToken?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard server.lowercased().hasPrefix("https://") else {
            throw ClientError(.unusableSetting, "the server URL must start with https://")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        if let caFile {
            guard FileManager.default.fileExists(atPath: caFile) else {
                throw ClientError(.unusableSetting, "the CA file \(caFile) does not exist")
            }
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw ClientError(.untrustedCertificate, "cannot read the CA file \(caFile) as PEM certificates")
            }
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(30))
        )
        // A refused connection or an untrusted certificate will not change on a retry: fail at once.
        configuration.connectionPool.retryConnectionEstablishment = false
        let serverHost = URLComponents(string: server)?.host ?? ""
        if let proxy = try ProxySettings.from(environment: environment, serverHost: serverHost) {
            let authorization = proxy.credentials.map { HTTPClient.Authorization.basic(credentials: Data($0.utf8).base64EncodedString()) }
            configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
        }
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        base = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.token = token
    }

    /// Closes connections; call once when done.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// Sends one request and returns the JSON body of a 2xx answer.
    func send(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws -> JSONValue {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let token { token.withText { request.headers.add(name: "Authorization", value: "Bearer \($0)") } }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: CanonicalJSON.encode(body)))
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(30))
        } catch {
            throw Self.classify(error)
        }
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: Self.maximumResponseSize)
        } catch {
            throw ClientError(.malformedResponse, status: Int(response.status.code), "the server's answer was cut off or too large")
        }
        let json = try? JSONParser.parse(Array(buffer: bytes))
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let detail = json?.objectValue?["detail"]?.stringValue ?? response.status.reasonPhrase
            let code: ClientError.Code = switch status {
            case 401, 403, 404: .notAllowed
            case 429, 500...: .serverFailure
            default: .rejected
            }
            throw ClientError(code, status: status, "the server answered \(status): \(detail)")
        }
        guard let json else { throw ClientError(.malformedResponse, status: status, "the server's answer is not JSON") }
        return json
    }

    static func classify(_ error: any Error) -> ClientError {
        let text = String(describing: error)
        if error is NIOSSLError || text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate") {
            return ClientError(.untrustedCertificate, "the server's TLS certificate is not trusted (give the right CA with --ca-file)")
        }
        return ClientError(.unreachable, "cannot reach the server: \(text.prefix(200))")
    }
}
