import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The loopback redirect of a native sign-in (RFC 8252, as `az login` does): a one-shot HTTP
/// listener on 127.0.0.1 and a free port, which takes the first request to `/`, answers a page
/// that says to go back to the terminal, and hands over its query (`code`, `state` or `error`).
package final class LoopbackRedirect: Sendable {
    private let channel: any Channel
    private let answer: EventLoopPromise<[String: String]>
    /// `http://127.0.0.1:<port>/`, the redirect URI of the sign-in.
    package let redirectURI: String

    private init(channel: any Channel, answer: EventLoopPromise<[String: String]>, port: Int) {
        self.channel = channel
        self.answer = answer
        redirectURI = "http://127.0.0.1:\(port)/"
    }

    /// Listens on 127.0.0.1 and a free port.
    package static func start() async throws -> LoopbackRedirect {
        let group = MultiThreadedEventLoopGroup.singleton
        let answer = group.next().makePromise(of: [String: String].self)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(RedirectHandler(answer: answer))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else {
            throw SignInError(.failed, "no loopback port could be opened for the sign-in")
        }
        return LoopbackRedirect(channel: channel, answer: answer, port: port)
    }

    /// The redirect's query once the browser comes back, or `expired` after `seconds`.
    package func wait(seconds: Int64) async throws -> [String: String] {
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(seconds)) {
            self.answer.fail(SignInError(.expired, "the browser did not come back within \(seconds / 60) minutes"))
        }
        defer { timeout.cancel() }
        return try await answer.futureResult.get()
    }

    /// Stops listening.
    package func close() async {
        answer.fail(SignInError(.expired, "the sign-in was abandoned"))
        try? await channel.close()
    }
}

/// Answers `GET /?…` once; anything else (a favicon) is a 404.
private final class RedirectHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let answer: EventLoopPromise<[String: String]>
    private var query: [String: String]?

    init(answer: EventLoopPromise<[String: String]>) { self.answer = answer }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let parts = head.uri.split(separator: "?", maxSplits: 1)
            query = parts.first == "/" || head.uri.hasPrefix("/?") ? Self.decode(parts.count == 2 ? String(parts[1]) : "") : nil
        case .body:
            break
        case .end:
            let found = query != nil
            let text = found
                ? "<!doctype html><meta charset=utf-8><title>Signed in</title><p>Sign-in finished. You can close this window and go back to the terminal.</p>"
                : "<!doctype html><title>Not found</title><p>Not found.</p>"
            var headers = HTTPHeaders([("Content-Type", "text/html; charset=utf-8"), ("Content-Length", String(text.utf8.count)), ("Connection", "close"),
                                       ("Cache-Control", "no-store"), ("Referrer-Policy", "no-referrer")])
            headers.add(name: "Content-Security-Policy", value: "default-src 'none'")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: found ? .ok : .notFound, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
            if let query { answer.succeed(query) }
        }
    }

    /// `application/x-www-form-urlencoded` pairs.
    static func decode(_ text: String) -> [String: String] {
        var pairs: [String: String] = [:]
        for item in text.split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if pair.count == 2 { pairs[pair[0]] = pair[1] } else if pair.count == 1 { pairs[pair[0]] = "" }
        }
        return pairs
    }
}
