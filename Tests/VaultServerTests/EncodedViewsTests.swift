import Foundation
import HandoffDomain
import NIOCore
import Testing
@testable import VaultServer

/// A view's JSON is encoded once while the view stays the same, and never answered stale.
@Suite("Encoded views")
struct EncodedViewsTests {
    static let created = Date(timeIntervalSince1970: 1_800_000_000)

    static func summary(_ id: String, state: HandoffState = .invited, receipts: [String] = []) -> HandoffSummary {
        HandoffSummary(id: id, customer: "Contoso", state: state, createdAt: created, expiresAt: created.addingTimeInterval(86_400), receipts: receipts)
    }

    static func text(_ buffer: ByteBuffer) -> String { String(decoding: buffer.readableBytesView, as: UTF8.self) }

    @Test("Each answer is the summary's canonical JSON: a changed state or a new receipt is encoded again, handoffs never mix")
    func answersFollowTheSummary() {
        let views = EncodedViews()
        let invited = Self.summary("h1")
        let submitted = Self.summary("h1", state: .submitted, receipts: ["receipt one"])
        let twoReceipts = Self.summary("h1", state: .submitted, receipts: ["receipt one", "receipt two"])
        let other = Self.summary("h2", state: .released)
        for summary in [invited, invited, submitted, other, submitted, twoReceipts, invited, other, other] {
            #expect(Self.text(views.body(of: summary)) == CanonicalJSON.string(summary.json), "\(summary.id) \(summary.state)")
        }
    }

    @Test("The same view asked for again is answered with the bytes already encoded")
    func remembers() {
        let views = EncodedViews()
        let summary = Self.summary("h1", state: .submitted, receipts: ["receipt one"])
        let first = views.body(of: summary), second = views.body(of: summary)
        let shared = first.withUnsafeReadableBytes { a in second.withUnsafeReadableBytes { b in a.baseAddress == b.baseAddress } }
        #expect(shared, "one encoding, shared by both answers")
    }

    @Test("Past its capacity it forgets the least recently asked for, and still answers each view right")
    func bounded() {
        let views = EncodedViews()
        let summaries = (0...EncodedViews.capacity).map { Self.summary("h\($0)") }
        for summary in summaries + summaries.prefix(3) {
            #expect(Self.text(views.body(of: summary)) == CanonicalJSON.string(summary.json))
        }
    }
}
