import Testing
@testable import VaultCrypto

@Suite("Secret slots")
struct SecretSlotsTests {
    /// The address of a secret's first byte.
    private func address(_ secret: SecretBytes) -> UInt {
        secret.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
    }

    @Test("A small secret's slot is reused after release, wiped whole, not only where the next secret lies")
    func reusedAndWiped() throws {
        // Other suites make secrets in parallel and may take the slot first: try until this one
        // gets it back.
        for _ in 0..<100 {
            var first: SecretBytes? = try SecretBytes(copying: [UInt8](repeating: 0xAA, count: 64))
            let firstAddress = address(first!)
            first = nil
            let second = try SecretBytes.random(count: 32)
            // The last released slot is reused first; the bytes end where the slot does.
            guard address(second) == firstAddress + 32 else { continue }
            // The 32 bytes before the new secret held the first one's: the slot was wiped on release.
            let before = try #require(UnsafeRawPointer(bitPattern: address(second) - 32))
            #expect(UnsafeRawBufferPointer(start: before, count: 32).allSatisfy { $0 == 0 })
            return
        }
        Issue.record("a released slot was never reused")
    }

    @Test("Secrets end at their slot's end, beside the guard page; larger ones get their own region")
    func placement() throws {
        let small = try SecretBytes.random(count: 32)
        let page = UInt(4_096)
        #expect((address(small) + 32) % page == 0, "the last byte is the last before the guard page")
        let large = try SecretBytes.random(count: SecretSlots.capacity + 1)
        #expect(large.count == SecretSlots.capacity + 1)
        let empty = try SecretBytes(count: 0) { _ in }
        let otherEmpty = try SecretBytes(count: 0) { _ in }
        #expect(empty.count == 0 && empty == otherEmpty)
    }

    @Test("Secrets made and released across tasks keep their own bytes")
    func concurrent() async throws {
        let intact = try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<16 {
                group.addTask {
                    for round in 0..<500 {
                        let byte = UInt8(truncatingIfNeeded: task &* 31 &+ round)
                        let secret = try SecretBytes(copying: [UInt8](repeating: byte, count: 32 + task))
                        let held = secret.withUnsafeBytes { $0.allSatisfy { $0 == byte } }
                        guard held else { return false }
                    }
                    return true
                }
            }
            return try await group.reduce(true) { $0 && $1 }
        }
        #expect(intact)
    }
}
