import Foundation
import HandoffDomain
import Testing
import VaultCrypto

/// The API's shapes, defined once: each encodes to the JSON the OpenAPI document describes,
/// decodes back to itself, and refuses answers of another shape with the field named.
@Suite("Wire models")
struct WireModelTests {
    static let id = "5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77"
    static let when = Date(timeIntervalSince1970: 1_800_000_000)

    static func roundTrips<Model: WireModel & Equatable>(_ model: Model) throws -> Bool {
        let bytes = CanonicalJSON.encode(model.json)
        return try Model(json: try JSONParser.parse(bytes)) == model
    }

    @Test("Every model decodes what it encodes")
    func roundTrip() throws {
        let summary = HandoffSummary(id: Self.id, customer: "Contoso", state: .submitted, createdAt: Self.when, expiresAt: Self.when + 86_400, receipts: ["r"])
        #expect(try Self.roundTrips(summary))
        #expect(try Self.roundTrips(HandoffList([summary, summary])))
        #expect(try Self.roundTrips(CreatedInvite(handoffId: Self.id, inviteCode: "hv1.x", expiresAt: Self.when)))
        #expect(try Self.roundTrips(HandoffStateChange(handoffId: Self.id, state: .revoked)))
        #expect(try Self.roundTrips(RecipientRegistration(keyId: "rk_1")))
        #expect(try Self.roundTrips(SubmissionReceipt(handoffId: Self.id, submissionId: Self.id, receivedAt: Self.when, auditIndex: 7, receipt: "note")))
        #expect(try Self.roundTrips(ReleasedSubmission(submissionId: Self.id, sealed: [1, 2, 3], recipientKeyId: "rk_1", receivedAt: Self.when)))
        #expect(try Self.roundTrips(IssuedToken(id: "tok_1", role: .auditor, token: BearerToken(text: "hv_aud_x"), expiresAt: nil)))
        let token = TokenSummary(id: "tok_1", role: .admin, name: "n", createdAt: Self.when, expiresAt: Self.when + 60, revokedAt: nil)
        #expect(try Self.roundTrips(TokenList([token])))
        #expect(try Self.roundTrips(TokenRevocation(id: "tok_1")))
        #expect(try Self.roundTrips(CheckpointInfo(note: "note", treeSize: 3, rootHash: [9, 9])))
        #expect(try Self.roundTrips(AuditEventPage(treeSize: 2, events: [IndexedAuditEvent(index: 1, bytes: Array(#"{"a":1}"#.utf8))])))
        #expect(try Self.roundTrips(InclusionProof(event: IndexedAuditEvent(index: 0, bytes: Array("{}".utf8)), treeSize: 2, proof: [[1], [2]])))
        #expect(try Self.roundTrips(ConsistencyProof(from: 1, to: 2, proof: [[3]])))
        #expect(try Self.roundTrips(PackageDelivery(handoffId: Self.id, sha256: [4], size: 10)))
        #expect(try Self.roundTrips(DeliveredPackage(handoffId: Self.id, zip: [0x50, 0x4B], signature: "sig")))
    }

    @Test("The handoff shape is the one the API documents: field names, RFC 3339 times, state names")
    func handoffShape() throws {
        let summary = HandoffSummary(id: Self.id, customer: "C", state: .delivered, createdAt: Self.when, expiresAt: Self.when, receipts: [], packageDelivered: true)
        #expect(CanonicalJSON.string(summary.json) == #"{"createdAt":"2027-01-15T08:00:00Z","customer":"C","expiresAt":"2027-01-15T08:00:00Z","handoffId":"5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77","packageDelivered":true,"receipts":[],"state":"delivered"}"#)
        #expect(try HandoffSummary(json: summary.json) == summary)
    }

    @Test("An answer of another shape is refused, naming the field", arguments: [
        (#"{"customer":"C","state":"invited","createdAt":"2027-01-15T08:00:00Z","expiresAt":"2027-01-15T08:00:00Z","receipts":[]}"#, "handoffId"),
        (#"{"handoffId":"../../etc","customer":"C","state":"invited","createdAt":"2027-01-15T08:00:00Z","expiresAt":"2027-01-15T08:00:00Z","receipts":[]}"#, "handoffId"),
        (#"{"handoffId":"5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77","customer":"C","state":"exploded","createdAt":"2027-01-15T08:00:00Z","expiresAt":"2027-01-15T08:00:00Z","receipts":[]}"#, "state"),
        (#"{"handoffId":"5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77","customer":"C","state":"invited","createdAt":"2027-02-30T08:00:00Z","expiresAt":"2027-01-15T08:00:00Z","receipts":[]}"#, "createdAt"),
        (#"{"handoffId":"5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77","customer":"C","state":"invited","createdAt":"2027-01-15T08:00:00Z","expiresAt":"2027-01-15T08:00:00Z","receipts":[1]}"#, "receipts"),
        (#"[]"#, "not a JSON object"),
    ])
    func refusesOtherShapes(json: String, named: String) throws {
        let error = #expect(throws: FormatError.self) { try HandoffSummary(json: try JSONParser.parse(Array(json.utf8))) }
        #expect(error?.code == .answerMalformed)
        #expect(error?.reason.contains(named) == true, "\(error?.reason ?? "")")
    }

    @Test("Timestamps parse only in the one form they are written in, and round-trip")
    func timestamps() {
        for seconds: Int64 in [0, 951_782_400, 1_800_000_000, 4_102_444_799, -86_400] {
            let text = Timestamp.string(secondsSince1970: seconds)
            #expect(Timestamp.date(text) == Date(timeIntervalSince1970: TimeInterval(seconds)), "\(text)")
        }
        for bad in ["2027-01-15T08:00:00", "2027-01-15 08:00:00Z", "2027-01-15T08:00:00.5Z", "2027-02-29T00:00:00Z", "2027-13-01T00:00:00Z", "2027-01-15T24:00:00Z", "２027-01-15T08:00:00Z", ""] {
            #expect(Timestamp.date(bad) == nil, "\(bad)")
        }
        let fortnight = Lifetime("14d")
        #expect(fortnight?.seconds == TimeInterval(1_209_600) && fortnight?.text == "14d")
        #expect(Lifetime("0d") == nil && Lifetime("366d") == nil && Lifetime("1w") == nil)
    }
}
