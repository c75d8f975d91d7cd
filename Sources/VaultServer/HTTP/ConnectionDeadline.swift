import NIOCore
import NIOHTTPTypes

/// How long a client may take to send a request.
package struct RequestDeadlines: Sendable {
    /// From the connection opening (TLS handshake included), or from the first byte of a later
    /// request, to the end of that request's head.
    package var header: TimeAmount
    /// From the end of a request's head to the end of its body.
    package var body: TimeAmount

    package init(header: TimeAmount, body: TimeAmount) {
        self.header = header
        self.body = body
    }
}

/// Which deadline a slow connection missed.
package enum MissedDeadline: String, Sendable {
    case header
    case body
}

/// One connection's request deadlines. A slowloris client trickles a byte every few seconds, which
/// keeps any idle timer from firing; these deadlines count from the start of each request instead,
/// so such a client is cut off however it paces its bytes. Between requests (keep-alive) no
/// deadline runs: the idle timeout closes a connection that sends nothing.
///
/// Two handlers feed it: `RequestBytesHandler` sees the first byte of a request (before the HTTP
/// decoder), `RequestPartsHandler` sees complete heads, bodies and responses (after it). Both run
/// on the connection's event loop, and so does this.
final class ConnectionDeadline {
    private enum Phase {
        case opening, idle, head, body, processing
    }

    private let channel: any Channel
    private let deadlines: RequestDeadlines
    private let onMiss: @Sendable (MissedDeadline) -> Void
    private var phase = Phase.opening
    private var pending: Scheduled<Void>?
    /// Requests whose head was read and whose response has not ended.
    private var requestsInProgress = 0

    init(channel: any Channel, deadlines: RequestDeadlines, onMiss: @escaping @Sendable (MissedDeadline) -> Void) {
        self.channel = channel
        self.deadlines = deadlines
        self.onMiss = onMiss
    }

    /// The connection is open: the TLS handshake and the first head must fit the header deadline.
    func opened() {
        guard phase == .opening else { return }
        phase = .head
        start(.header)
    }

    /// Bytes arrived: on an idle connection they begin a request.
    func bytesArrived() {
        guard phase == .idle else { return }
        phase = .head
        start(.header)
    }

    func headRead() {
        requestsInProgress += 1
        phase = .body
        start(.body)
    }

    /// A body ended; if its response already went out (an early refusal), the connection is idle.
    func endRead() {
        phase = requestsInProgress == 0 ? .idle : .processing
        cancel()
    }

    /// A response ended; with nothing else in progress the connection waits, without a deadline.
    func responseEnded() {
        requestsInProgress -= 1
        if requestsInProgress == 0 && phase == .processing {
            phase = .idle
            cancel()
        }
    }

    func closed() {
        cancel()
    }

    private func start(_ deadline: MissedDeadline) {
        cancel()
        let amount = deadline == .header ? deadlines.header : deadlines.body
        pending = channel.eventLoop.assumeIsolated().scheduleTask(in: amount) { [channel, onMiss] in
            onMiss(deadline)
            channel.close(promise: nil)
        }
    }

    private func cancel() {
        pending?.cancel()
        pending = nil
    }
}

/// Before the HTTP decoder: tells the deadline when a connection opens and when bytes arrive.
final class RequestBytesHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let deadline: ConnectionDeadline

    init(deadline: ConnectionDeadline) {
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { deadline.opened() }
    }

    func channelActive(context: ChannelHandlerContext) {
        deadline.opened()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadline.bytesArrived()
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline.closed()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline.closed()
    }
}

/// After the HTTP decoder: tells the deadline when a head and a body are complete and when a
/// response ends.
final class RequestPartsHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let deadline: ConnectionDeadline

    init(deadline: ConnectionDeadline) {
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: deadline.headRead()
        case .end: deadline.endRead()
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { deadline.responseEnded() }
        context.write(data, promise: promise)
    }
}
