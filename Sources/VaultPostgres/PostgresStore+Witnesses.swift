import Foundation
import HandoffDomain
import VaultCrypto
import PostgresNIO
import VaultStore

extension PostgresStore {
    package func latestCheckpoint() async throws -> (note: String, checkpoint: AuditCheckpoint)? {
        guard let signer = checkpointSigner else { throw StoreError(.keysUnavailable, "the server keys are not loaded") }
        let note = try await read { connection in
            try await connection.query("SELECT note FROM checkpoint ORDER BY tree_size DESC LIMIT 1", logger: self.logger)
                .decode(String.self).first(where: { _ in true })
        }
        guard let note else { return nil }
        return (note, try AuditCheckpoint.verify(note, publicKey: signer.keys.signing.publicKey))
    }

    package func cosignatures(treeSize: Int64) async throws -> [String] {
        try await read { connection in
            var lines: [String] = []
            for try await line in try await connection.query(
                "SELECT line FROM cosignature WHERE tree_size = \(treeSize) ORDER BY witness", logger: self.logger
            ).decode(String.self) {
                lines.append(line)
            }
            return lines
        }
    }

    package func addCosignature(witness: String, treeSize: Int64, line: String, now: Date) async throws {
        _ = try await write(auditLock: false) { connection in
            try await connection.query("""
                INSERT INTO cosignature (tree_size, witness, line, received_at) VALUES (\(treeSize), \(witness), \(line), \(now))
                ON CONFLICT (tree_size, witness) DO UPDATE SET line = EXCLUDED.line, received_at = EXCLUDED.received_at
                """, logger: self.logger)
        }
    }

    package func cosignedSizes() async throws -> [String: Int64] {
        try await read { connection in
            var sizes: [String: Int64] = [:]
            for try await (witness, size) in try await connection.query(
                "SELECT witness, MAX(tree_size) FROM cosignature GROUP BY witness", logger: self.logger
            ).decode((String, Int64).self) {
                sizes[witness] = size
            }
            return sizes
        }
    }
}
