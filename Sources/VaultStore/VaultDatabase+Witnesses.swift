import Foundation
import GRDB
import HandoffDomain
import VaultCrypto

extension VaultDatabase {
    package func latestCheckpoint() async throws -> (note: String, checkpoint: AuditCheckpoint)? {
        guard let signer = checkpointSigner else { throw StoreError(.keysUnavailable, "the server keys are not loaded") }
        guard let note = try await read({ db in try String.fetchOne(db, sql: "SELECT note FROM checkpoint ORDER BY treeSize DESC LIMIT 1") }) else {
            return nil
        }
        return (note, try AuditCheckpoint.verify(note, publicKey: signer.keys.signing.publicKey))
    }

    package func cosignatures(treeSize: Int64) async throws -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT line FROM cosignature WHERE treeSize = ? ORDER BY witness", arguments: [treeSize])
        }
    }

    package func addCosignature(witness: String, treeSize: Int64, line: String, now: Date) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO cosignature (treeSize, witness, line, receivedAt) VALUES (?, ?, ?, ?)",
                arguments: [treeSize, witness, line, now]
            )
        }
    }

    package func cosignedSizes() async throws -> [String: Int64] {
        try await read { db in
            var sizes: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT witness, MAX(treeSize) AS size FROM cosignature GROUP BY witness") {
                sizes[row["witness"]] = row["size"]
            }
            return sizes
        }
    }
}
