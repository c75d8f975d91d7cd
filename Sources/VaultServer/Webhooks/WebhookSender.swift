import AsyncHTTPClient
import Foundation
import HandoffDomain
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import VaultCrypto
import VaultStore

/// Sends one event to one endpoint as Standard Webhooks 1.0 prescribes: the event's canonical
/// JSON as the body, `webhook-id` (`evt_<event id>`, the same on every retry),
/// `webhook-timestamp` (Unix seconds) and `webhook-signature: v1a,<base64 Ed25519 signature of
/// "<id>.<timestamp>.<body>">` by the endpoint's key. To the address `WebhookTarget` checked,
/// with the URL's host for TLS; 5 s at most; redirects are not followed (a 3xx is a failure).
struct WebhookSender: Sendable {
    let store: any HandoffStore
    let tls: TLSConfiguration
    let allowPrivate: Bool
    static let timeout: TimeAmount = .seconds(5)

    func send(_ event: HandoffEvent, to endpoint: WebhookEndpoint, now: Date) async -> WebhookAttempt {
        let start = ContinuousClock.now
        func elapsed() -> Int { Int((ContinuousClock.now - start) / .milliseconds(1)) }
        let target: WebhookTarget
        let address: String
        do {
            target = try WebhookTarget(endpoint.url)
            address = try target.resolve(allowPrivate: allowPrivate)
        } catch {
            return WebhookAttempt(.failed("refused target: \(error.reason)"), status: nil, milliseconds: elapsed())
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow, timeout: .init(connect: Self.timeout, read: Self.timeout)
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.dnsOverride = [target.host: address]
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let attempt: WebhookAttempt
        do {
            let request = try signedRequest(event, to: endpoint, now: now)
            let response = try await client.execute(request, timeout: Self.timeout)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            switch status {
            case 200..<300: attempt = WebhookAttempt(.delivered, status: status, milliseconds: elapsed())
            case 410: attempt = WebhookAttempt(.gone, status: status, milliseconds: elapsed())
            case 300..<400: attempt = WebhookAttempt(.failed("HTTP \(status): redirects are not followed"), status: status, milliseconds: elapsed())
            default: attempt = WebhookAttempt(.failed("HTTP \(status)"), status: status, milliseconds: elapsed())
            }
        } catch {
            attempt = WebhookAttempt(.failed(Self.describe(error)), status: nil, milliseconds: elapsed())
        }
        try? await client.shutdown()
        return attempt
    }

    private func signedRequest(_ event: HandoffEvent, to endpoint: WebhookEndpoint, now: Date) throws -> HTTPClientRequest {
        let body = event.canonicalBytes
        let id = "evt_\(event.id)"
        let timestamp = String(Int64(now.timeIntervalSince1970))
        let signature = try store.webhookSignature(endpointId: endpoint.id, message: Array("\(id).\(timestamp).".utf8) + body)
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "handoff-vault/\(HandoffVaultVersion.current)")
        request.headers.add(name: "webhook-id", value: id)
        request.headers.add(name: "webhook-timestamp", value: timestamp)
        request.headers.add(name: "webhook-signature", value: "v1a," + Base64.encode(signature))
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    /// What went wrong, in words that hold no URL, header or body.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error):
            return "no answer within 5 s"
        case is NIOSSLError, is BoringSSLError:
            return "TLS failed (is the receiver's certificate trusted? outbound_ca_file)"
        case is NIOConnectionError, is ChannelError, is IOError:
            return "could not connect"
        default:
            return "the request failed (\(String(describing: type(of: error))))"
        }
    }
}

/// `whpk_` and the base64 public key: how Standard Webhooks writes an Ed25519 verifying key.
extension SigningPublicKey {
    var standardWebhooksKey: String { "whpk_" + Base64.encode(bytes) }
}
