import HandoffDomain
import NIOCore
import Synchronization

/// The JSON of the handoff views this node answered lately, by handoff: a view asked for again and
/// unchanged is answered with the bytes already encoded (a view's receipts made encoding most of
/// an authenticated GET's own work). "Unchanged" is the whole summary compared — state, receipts,
/// times — so these bytes can never be stale, and no write has to empty them. A summary is the same
/// for every role that may read it, and is asked for only after that read was authorized.
final class EncodedViews: Sendable {
    /// Handoffs remembered; the least recently asked for is forgotten first.
    static let capacity = 1_024

    private let table = Mutex(LRUTable<(summary: HandoffSummary, body: ByteBuffer)>(capacity: capacity))

    /// `summary`'s canonical JSON.
    func body(of summary: HandoffSummary) -> ByteBuffer {
        if let remembered = table.withLock({ $0.value(for: summary.id) }), remembered.summary == summary {
            return remembered.body
        }
        let body = ByteBuffer(bytes: CanonicalJSON.encode(summary.json))
        table.withLock { _ = $0.set(summary.id, (summary, body)) }
        return body
    }
}
