import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 child channel with per-connection request deadlines
/// (`ConnectionDeadline`): one handler before the HTTP decoder, one after it.
struct DeadlineHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let deadlines: RequestDeadlines
    let onMiss: @Sendable (MissedDeadline) -> Void

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let deadline = ConnectionDeadline(channel: channel, deadlines: deadlines, onMiss: onMiss)
        let bound = NIOLoopBound(deadline, eventLoop: channel.eventLoop)
        var configuration = base.configuration
        let additional = configuration.additionalChannelHandlers
        configuration.additionalChannelHandlers = { [RequestPartsHandler(deadline: bound.value)] + additional() }
        let connection = HTTP1Channel(responder: base.responder, configuration: configuration)
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(RequestBytesHandler(deadline: bound.value))
        }.flatMap {
            connection.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with `configuration`, whose connections must send each request within `deadlines`.
    static func http1(
        configuration: HTTP1Channel.Configuration, deadlines: RequestDeadlines, onMiss: @escaping @Sendable (MissedDeadline) -> Void
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            DeadlineHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: configuration), deadlines: deadlines, onMiss: onMiss)
        }
    }
}
