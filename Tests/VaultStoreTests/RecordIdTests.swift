import Foundation
import HandoffDomain
import TestSupport
import Testing
@testable import VaultStore

@Suite("Record ids")
struct RecordIdTests {
    @Test("A record id is a lowercase version 7 UUID whose first 48 bits are its time in milliseconds")
    func layout() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000.123)
        let id = try RecordId.make(now: now)
        #expect(HandoffValues.isHandoffId(id))
        let hex = Array(id.replacingOccurrences(of: "-", with: ""))
        #expect(hex[12] == "7", "version 7")
        #expect("89ab".contains(hex[16]), "RFC 9562 variant")
        #expect(UInt64(String(hex[0..<12]), radix: 16) == 1_800_000_000_123)
    }

    @Test("Ids made later sort after earlier ones; ids made in the same millisecond differ")
    func ordered() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        // 10 ms apart: a Date's binary fraction may floor 0.002 s to 1 ms, never 0.01 s to the step before.
        let ids = try (0..<200).map { try RecordId.make(now: start.addingTimeInterval(Double($0) * 0.01)) }
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 }, "ids made later sort after earlier ones")
        let same = try (0..<1_000).map { _ in try RecordId.make(now: start) }
        #expect(Set(same).count == same.count)
    }

    @Test("Submissions get ids in the order they were received, on both backends", arguments: Backend.available)
    func submissionsInOrder(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let handoff = try await fixture.store.createHandoff(customer: "C", expiresIn: 86_400, context: fixture.admin)
        var ids: [String] = []
        for second in 0..<5 {
            let receipt = try await fixture.submit(handoff.handoffId, at: fixture.admin.now.addingTimeInterval(Double(second)))
            ids.append(receipt.submissionId)
        }
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 }, "\(ids)")
        #expect(ids.allSatisfy { Array($0)[14] == "7" })
    }
}
