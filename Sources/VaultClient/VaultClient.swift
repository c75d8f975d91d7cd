internal import AsyncHTTPClient
import Foundation
import HandoffDomain
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix
internal import NIOSSL
import VaultCrypto

/// The `/v1` API over HTTPS with certificate verification always on. Trust is the system's CA
/// store, or exactly the PEM file given as `caFile`.
package final class VaultClient: Sendable {
    let http: HTTPClient
    let base: String
    let token: BearerToken?

    /// The largest response body read.
    static let maximumResponseSize = 2 * 1024 * 1024

    /// A client for `server` (an https URL), through the proxy that `environment` names.
    package init(server: String, caFile: String?, token: BearerToken?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
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
                throw ClientError(.unusableSetting, "the CA file \(caFile) does not hold PEM certificates")
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

    var forInvite: Bool { token?.claimedRole == .customer }

    /// Closes connections; call once when done.
    package func shutdown() async {
        try? await http.shutdown()
    }

    /// Sends one request and returns the JSON body of a 2xx answer; every failure becomes a
    /// `ClientError` that names the URL and says whether the request may have been sent.
    func send(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws -> JSONValue {
        let url = base + path
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let token { token.withText { request.headers.add(name: "Authorization", value: "Bearer \($0)") } }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: CanonicalJSON.encode(body)))
        }
        let response = try await execute(request)
        let status = Int(response.status.code)
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: Self.maximumResponseSize)
        } catch {
            var failure = ClientError(.malformedResponse, status: status, "the server's answer was cut off or too large")
            failure.url = base
            throw failure
        }
        let json = try? JSONParser.parse(Array(buffer: bytes))
        guard (200..<300).contains(status) else { throw refusal(status: status, problem: json, headers: response.headers) }
        guard let json else {
            var failure = ClientError(.malformedResponse, status: status, "the server's answer is not JSON")
            failure.url = base
            throw failure
        }
        return json
    }

    /// The error for a non-2xx answer: its status sorted by what it means, its problem
    /// document's code and detail, and `Retry-After`.
    func refusal(status: Int, problem json: JSONValue?, headers: HTTPHeaders) -> ClientError {
        let problem = json?.objectValue
        let problemCode = problem?["code"]?.stringValue
        let code: ClientError.Code = switch status {
        case 401: .notAuthenticated
        case 404 where problemCode == "store.not_ready": .notReady
        case 403, 404: .notAllowed
        case 429 where problemCode == "auth.rate_limited": .rateLimited
        case 500...: .serverFailure
        default: .rejected
        }
        var failure = ClientError(code, status: status, problem?["detail"]?.stringValue ?? "the server gave no reason")
        failure.url = base
        failure.problemCode = problemCode
        failure.retryAfter = headers.first(name: "Retry-After").flatMap { Int($0) }
        failure.forInvite = forInvite
        return failure
    }

    /// The JSON of a public document under this base (an identity provider's keys, say); the
    /// same verification, limits and failures as every API call.
    package func getJSON(_ path: String) async throws -> JSONValue {
        try await send(.GET, path)
    }

    /// Sends `request`; a transport failure becomes a `ClientError` naming this base.
    func execute(_ request: HTTPClientRequest, timeout: TimeAmount = .seconds(30)) async throws -> HTTPClientResponse {
        do {
            return try await http.execute(request, timeout: timeout)
        } catch {
            var failure = Self.classify(error)
            failure.url = base
            failure.forInvite = forInvite
            throw failure
        }
    }

    /// A GET of `path` (under this base, or an absolute URL on the same origin, as paging links are)
    /// with `bearer` as the access token (Microsoft Graph, Azure Resource Manager): the status, the
    /// JSON if any, and `Retry-After` in seconds. 4xx answers are returned, not thrown: the caller
    /// explains them (a 403 is a missing consent, a 429 a wait).
    package func get(_ path: String, bearer: String) async throws -> (status: Int, json: JSONValue?, retryAfter: Int?) {
        let url = path.hasPrefix("https://") ? path : base + path
        guard url.hasPrefix(base + "/") else {
            var failure = ClientError(.malformedResponse, "an answer pointed to another server than \(base)")
            failure.url = base
            throw failure
        }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
        let response = try await execute(request)
        let bytes = try? await response.body.collect(upTo: Self.maximumResponseSize)
        return (Int(response.status.code), bytes.flatMap { try? JSONParser.parse(Array(buffer: $0)) },
                response.headers.first(name: "Retry-After").flatMap { Int($0) })
    }

    /// A form POST to an identity provider's endpoint under this base (OAuth's token and device
    /// code endpoints): the status and the JSON answer, 4xx included (OAuth puts its `error` in a
    /// 400's body). Transport failures are `ClientError`s, as for every call.
    package func postForm(_ path: String, _ fields: [(String, String)]) async throws -> (status: Int, json: JSONValue) {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: Self.formEncoded(fields)))
        let response = try await execute(request)
        let status = Int(response.status.code)
        guard let bytes = try? await response.body.collect(upTo: Self.maximumResponseSize), let json = try? JSONParser.parse(Array(buffer: bytes)) else {
            var failure = ClientError(.malformedResponse, status: status, "the answer was not JSON")
            failure.url = base
            throw failure
        }
        return (status, json)
    }

    /// `application/x-www-form-urlencoded` of `fields`: unreserved characters as they are, every
    /// other byte percent-encoded.
    package static func formEncoded(_ fields: [(String, String)]) -> String {
        func encode(_ text: String) -> String {
            var out = ""
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                    out.append(Character(Unicode.Scalar(byte)))
                default:
                    out += String(format: "%%%02X", byte)
                }
            }
            return out
        }
        return fields.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    /// Sends one request and decodes the 2xx answer as `Answer`; an answer of another shape is
    /// `malformedResponse` (its reason names the field), never a crash.
    func send<Answer: WireModel>(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil, as answer: Answer.Type = Answer.self) async throws -> Answer {
        let json = try await send(method, path, body: body)
        do {
            return try Answer(json: json)
        } catch let error as FormatError {
            var failure = ClientError(.malformedResponse, "the server's answer is not what the API promises: \(error.reason)")
            failure.url = base
            throw failure
        }
    }

    /// Sorts a transport failure by what it means for the user. The library's own text is only
    /// matched, never shown: it can quote request headers.
    static func classify(_ error: any Error) -> ClientError {
        switch error {
        case let error as NIOSSLError:
            if case .handshakeFailed = error {
                return String(describing: error).contains("CERTIFICATE_VERIFY_FAILED")
                    ? ClientError(.untrustedCertificate, "the server's certificate is not trusted")
                    : ClientError(.noTLS, "no TLS session came up")
            }
            return ClientError(.connectionLost, "the TLS connection broke")
        case let error as IOError:
            return classify(errno: error.errnoCode)
        case let error as NIOConnectionError:
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
                return unreachable(.unknownHost, "the server's name does not resolve")
            }
            if let first = error.connectionErrors.first?.error as? IOError { return classify(errno: first.errnoCode) }
            return unreachable(.other, "no connection could be made")
        case is SocketAddressError:
            return unreachable(.unknownHost, "the server's name does not resolve")
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return unreachable(.timedOut, "the connection timed out")
            case .tlsHandshakeTimeout: return ClientError(.noTLS, "the TLS handshake timed out")
            case .remoteConnectionClosed, .readTimeout, .deadlineExceeded: return ClientError(.connectionLost, "the connection broke or timed out")
            default:
                // Header values refused before sending (a token with characters a token never has):
                // the library's description quotes them, so it is matched here and never shown.
                if String(describing: error).contains("invalidHeaderField") {
                    return ClientError(.unusableSetting, "the token holds characters a token never has")
                }
                return ClientError(.connectionLost, "the request failed on the way")
            }
        case let error as ChannelError:
            if case .connectTimeout = error { return unreachable(.timedOut, "the connection timed out") }
            return ClientError(.connectionLost, "the connection broke")
        default:
            return unreachable(.other, "no connection could be made")
        }
    }

    private static func classify(errno code: CInt) -> ClientError {
        switch code {
        case ECONNREFUSED: return unreachable(.refused, "the connection was refused")
        case ETIMEDOUT, EHOSTUNREACH, ENETUNREACH: return unreachable(.timedOut, "the connection timed out")
        default: return ClientError(.connectionLost, "the connection broke")
        }
    }

    private static func unreachable(_ reason: ClientError.ConnectFailure, _ text: String) -> ClientError {
        var failure = ClientError(.unreachable, text)
        failure.connectFailure = reason
        return failure
    }
}
