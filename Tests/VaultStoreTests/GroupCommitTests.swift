import Foundation
import HandoffDomain
import PostgresNIO
import TestSupport
import Testing
import VaultCrypto
@testable import VaultPostgres
@testable import VaultStore

/// Concurrent audited writes share transactions on both backends; a member that fails — refused by
/// the rules, or by the database after it wrote — takes nothing of the others with it.
@Suite("Group commit")
struct GroupCommitTests {
    @Test("Concurrent submissions, refusals and failing writes: every accepted one committed, nothing of a failed one", arguments: Backend.available)
    func failedMembersLeaveTheGroupIntact(backend: Backend) async throws {
        // A checkpoint every 3 events: on PostgreSQL some are signed in the middle of a group, from
        // nodes its cursor computed, and in members that then fail.
        let fixture = try await StoreFixture(backend, checkpointInterval: 3)
        defer { fixture.opened.close() }
        let store = fixture.store
        var handoffs: [String] = []
        for index in 0..<4 {
            handoffs.append(try await store.createHandoff(customer: "Customer \(index)", expiresIn: 86_400, context: fixture.admin).handoffId)
        }
        let before = try await store.auditSize()

        enum Outcome: Sendable { case stored(Int64), refused, failed }
        let outcomes = await withTaskGroup(of: Outcome.self) { group in
            for index in 0..<60 {
                let handoffId = handoffs[index % handoffs.count]
                group.addTask {
                    do {
                        switch index % 3 {
                        case 0: return .stored(try await fixture.submit(handoffId, byte: UInt8(index)).auditIndex)
                        case 1:
                            // Refused by the rules: sealed to a key that is not the registered one.
                            _ = try await store.storeSubmission(handoffId: handoffId, sealed: [1, 2, 3], recipientKeyId: "someone-else", limit: 100, context: fixture.customer(handoffId))
                            return .stored(-1)
                        default:
                            try await fixture.auditedWriteTheDatabaseRefuses(handoffId)
                            return .stored(-1)
                        }
                    } catch let error as StoreError {
                        return error.code == .storageFailure ? .failed : .refused
                    } catch {
                        return .failed
                    }
                }
            }
            var outcomes: [Outcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }

        let stored = outcomes.compactMap { if case .stored(let index) = $0 { index } else { nil } }
        #expect(stored.count == 20 && stored.allSatisfy { $0 >= before }, "every valid submission was committed, nothing else")
        #expect(outcomes.filter { if case .refused = $0 { true } else { false } }.count == 20)
        #expect(outcomes.filter { if case .failed = $0 { true } else { false } }.count == 20)
        // The log holds exactly the 20 submissions after `before`, at consecutive indices, and
        // none of the failed members' events (nor their outbox rows).
        #expect(try await store.auditSize() == before + 20)
        #expect(Set(stored) == Set(before..<before + 20))
        let actions = try await fixture.auditActions()
        #expect(actions.dropFirst(Int(before)).allSatisfy { $0 == "submission.received" })
        #expect(try await store.events(after: -1, limit: 100).allSatisfy { $0.kind == .submitted })
        let counts = try await fixture.strings(
            sqlite: "SELECT submissionCount FROM handoff ORDER BY submissionCount", postgres: "SELECT submission_count::text FROM handoff ORDER BY submission_count"
        )
        #expect(counts == ["5", "5", "5", "5"])
        // The Merkle nodes the groups stored (on PostgreSQL from the group's in-memory right edge
        // after its first append) are those of the events' leaves, and every proof verifies.
        let leaves = try await store.auditEvents(from: 0, limit: 1_000).map { try AuditEvent.leafHash($0.bytes) }
        let (_, checkpoint) = try await store.currentCheckpoint(now: fixture.admin.now)
        #expect(checkpoint.size == Int64(leaves.count))
        #expect(checkpoint.rootHash == (try MerkleTree.rootHash(size: Int64(leaves.count), nodes: TokenAndAuditTests.nodes(leaves))))
        // Every checkpoint signed along the way (some in the middle of a group) signs the tree of
        // the events before it, all of them written.
        let signedCheckpoints = try await fixture.signedCheckpoints()
        #expect(signedCheckpoints.count >= 20 / 3)
        for signed in signedCheckpoints {
            let root = try MerkleTree.rootHash(size: signed.size, nodes: TokenAndAuditTests.nodes(Array(leaves.prefix(Int(signed.size)))))
            #expect(signed.rootHash == root, "the checkpoint at \(signed.size)")
        }
        for index in stored {
            let proof = try await store.inclusionProof(index: index, size: checkpoint.size)
            #expect(MerkleTree.verifyInclusion(leafHash: leaves[Int(index)], index: index, size: checkpoint.size, proof: proof.proof, root: checkpoint.rootHash))
        }
        if let postgres = store as? PostgresStore {
            let (groups, grouped) = postgres.pendingWrites.statistics
            #expect(groups < grouped, "the concurrent writes shared transactions (\(groups) transactions for \(grouped) writes)")
        }
    }

    @Test("A submission sees what earlier writes of its group did to its handoff: the cap counts them, a revocation stops it", arguments: Backend.available)
    func submissionsSeeTheirGroup(backend: Backend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.opened.close() }
        let store = fixture.store
        /// Submits to `handoffId` 12 times at once, (as one of them) revoking it when `revokeAt`
        /// is given: the audit index of each submission taken.
        func submitConcurrently(to handoffId: String, limit: Int, revokeAt: Int? = nil) async -> [Int64?] {
            await withTaskGroup(of: Int64?.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        if index == revokeAt {
                            try? await store.revokeHandoff(id: handoffId, context: fixture.admin)
                            return nil
                        }
                        return try? await store.storeSubmission(
                            handoffId: handoffId, sealed: Array(repeating: UInt8(index), count: 80), recipientKeyId: fixture.recipient.publicKey.keyId,
                            limit: limit, context: fixture.customer(handoffId)
                        ).auditIndex
                    }
                }
                var indices: [Int64?] = []
                for await index in group { indices.append(index) }
                return indices
            }
        }

        let capped = try await store.createHandoff(customer: "Capped", expiresIn: 86_400, context: fixture.admin).handoffId
        #expect(await submitConcurrently(to: capped, limit: 3).compactMap { $0 }.count == 3, "the cap holds across a group's members")
        let counts = try await fixture.strings(
            sqlite: "SELECT submissionCount FROM handoff WHERE id = '\(capped)'", postgres: "SELECT submission_count::text FROM handoff WHERE id = '\(capped)'"
        )
        #expect(counts == ["3"])

        let revoked = try await store.createHandoff(customer: "Revoked", expiresIn: 86_400, context: fixture.admin).handoffId
        let accepted = await submitConcurrently(to: revoked, limit: 100, revokeAt: 2).compactMap { $0 }
        let actions = try await fixture.auditActions()
        let revocation = try #require(actions.firstIndex(of: "handoff.revoked"))
        #expect(accepted.allSatisfy { $0 < Int64(revocation) }, "every submission taken is in the log before the revocation (\(accepted), revoked at \(revocation))")
    }

    @Test("PostgreSQL writes a group's submissions in one statement: each committed as if alone, in log order",
          .enabled(if: Backend.available.contains(.postgres)))
    func batchedSubmissions() async throws {
        let fixture = try await StoreFixture(.postgres, checkpointInterval: 7)
        defer { fixture.opened.close() }
        let store = try #require(fixture.store as? PostgresStore)
        let handoffs = [
            try await store.createHandoff(customer: "A", expiresIn: 86_400, context: fixture.admin).handoffId,
            try await store.createHandoff(customer: "B", expiresIn: 86_400, context: fixture.admin).handoffId,
        ]
        let before = try await store.auditSize()
        let receipts = try await whileAGroupRuns(on: store) {
            try await withThrowingTaskGroup(of: (Int, SubmissionReceipt).self) { group in
                for index in 0..<40 {
                    group.addTask { (index, try await fixture.submit(handoffs[index % 2], byte: UInt8(index))) }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
        }
        let (statements, batched, refused) = store.submissionBatches.statistics
        #expect(statements > 0 && batched > statements && refused == 0, "\(batched) submissions in \(statements) statements, \(refused) refused")
        // Every receipt verifies and names its own index; the indices are the log's next 40.
        for (index, receipt) in receipts {
            let sealed = Array(repeating: UInt8(index), count: 80)
            let verified = try Receipt.verify(receipt.receipt, serverKey: fixture.keys.signing.publicKey, handoffId: handoffs[index % 2], sealed: sealed)
            #expect(verified.auditIndex == receipt.auditIndex)
        }
        #expect(Set(receipts.values.map(\.auditIndex)) == Set(before..<before + 40))
        #expect(try await store.auditSize() == before + 40)
        let counts = try await fixture.strings(sqlite: "", postgres: "SELECT submission_count::text || ' ' || state FROM handoff ORDER BY id")
        #expect(counts == ["20 submitted", "20 submitted"])
        // The latest of each handoff is the one with its highest index; the tree and its checkpoints hold.
        for (position, handoffId) in handoffs.enumerated() {
            let latest = receipts.filter { $0.key % 2 == position }.max { $0.value.auditIndex < $1.value.auditIndex }!
            let released = try await store.releaseLatest(handoffId: handoffId, auditRepeat: true, context: fixture.generator).released
            #expect(released.submissionId == latest.value.submissionId && released.sealed == Array(repeating: UInt8(latest.key), count: 80))
        }
        let leaves = try await store.auditEvents(from: 0, limit: 1_000).map { try AuditEvent.leafHash($0.bytes) }
        let (_, checkpoint) = try await store.currentCheckpoint(now: fixture.admin.now)
        #expect(checkpoint.rootHash == (try MerkleTree.rootHash(size: Int64(leaves.count), nodes: TokenAndAuditTests.nodes(leaves))))
        for signed in try await fixture.signedCheckpoints() {
            let root = try MerkleTree.rootHash(size: signed.size, nodes: TokenAndAuditTests.nodes(Array(leaves.prefix(Int(signed.size)))))
            #expect(signed.rootHash == root, "the checkpoint at \(signed.size)")
        }
        #expect(try await store.events(after: -1, limit: 100).filter { $0.kind == .submitted }.count == 40)
    }

    @Test("A batched submission PostgreSQL refuses fails alone: the group is rerun a member at a time",
          .enabled(if: Backend.available.contains(.postgres)))
    func refusedBatchMember() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.opened.close() }
        let store = try #require(fixture.store as? PostgresStore)
        let handoffId = try await store.createHandoff(customer: "A", expiresIn: 86_400, context: fixture.admin).handoffId
        // A trigger refuses the one submission whose sealed bytes are all 13s, inside whatever
        // statement writes it.
        let marked = try Hex.encode(SHA256.hash(Array(repeating: UInt8(13), count: 80)))
        try await fixture.tamper(sqlite: "", postgres: """
            CREATE FUNCTION refuse_marked() RETURNS trigger AS $$ BEGIN
            IF NEW.sealed_sha256 = '\\x\(marked)'::bytea THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql
            """)
        try await fixture.tamper(sqlite: "", postgres: "CREATE TRIGGER refuse_marked BEFORE INSERT ON submission FOR EACH ROW EXECUTE FUNCTION refuse_marked()")
        let before = try await store.auditSize()
        // Each submission's failure, if it failed: the store's code, or "other".
        let outcomes = try await whileAGroupRuns(on: store) { await withTaskGroup(of: (Int, String?).self) { group in
            for index in 0..<30 {
                group.addTask {
                    do {
                        _ = try await fixture.submit(handoffId, byte: UInt8(index))
                        return (index, nil)
                    } catch {
                        return (index, (error as? StoreError).map { "\($0.code)" } ?? "other")
                    }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        } }
        #expect(store.submissionBatches.statistics.refused >= 1, "the marked submission was in a batch")
        #expect(outcomes.filter { $0.value != nil }.map(\.key) == [13])
        #expect(outcomes[13] == "storageFailure")
        #expect(try await store.auditSize() == before + 29)
        #expect(try await fixture.strings(sqlite: "", postgres: "SELECT submission_count::text FROM handoff") == ["29"])
        #expect(try await fixture.auditActions().dropFirst(Int(before)).allSatisfy { $0 == "submission.received" })
    }

    /// Runs `body` while a group transaction of `store` sleeps for half a second, so that the
    /// writes `body` starts queue up and share the next group (on a loaded machine they might
    /// otherwise each find the node idle and go alone).
    private func whileAGroupRuns<Result: Sendable>(on store: PostgresStore, _ body: () async throws -> Result) async throws -> Result {
        let holder = Task { try await store.write { connection in try await connection.query("SELECT pg_sleep(0.5)", logger: store.logger) } }
        try await Task.sleep(for: .milliseconds(100))
        let result = try await body()
        _ = try await holder.value
        return result
    }
}
