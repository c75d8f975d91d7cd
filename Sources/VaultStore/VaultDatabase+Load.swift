import Foundation
import GRDB
import HandoffDomain

extension VaultDatabase {
    /// Adds `count` invited handoffs, each with its customer token (a random hash: no one holds
    /// it), sealed to the active recipient key, `batch` rows per transaction: for the scale
    /// benchmark, which needs a store of a million handoffs in minutes. Every `expiringEvery`-th
    /// handoff expires a day after `now` (retention's work, for a purge as of a later time); the
    /// others in 30 days.
    package func addLoadHandoffs(_ count: Int, expiringEvery: Int, now: Date, batch: Int = 10_000) async throws {
        var added = 0
        while added < count {
            let size = min(batch, count - added)
            let first = added
            try await write { db in
                guard let recipient = try String.fetchOne(db, sql: "SELECT id FROM recipientKey WHERE active") else {
                    throw StoreError(.notFound, "no recipient key registered")
                }
                let handoff = try db.cachedStatement(sql: """
                    INSERT INTO handoff (id, customer, state, recipientKeyId, createdAt, expiresAt, submissionCount) VALUES (?, ?, 'invited', ?, ?, ?, 0)
                    """)
                let token = try db.cachedStatement(sql: "INSERT INTO token (id, role, name, handoffId, hash, createdAt) VALUES (?, 'customer', 'invite', ?, ?, ?)")
                for number in first..<(first + size) {
                    let id = UUID().uuidString.lowercased()
                    let expires = now.addingTimeInterval(number % expiringEvery == 0 ? 86_400 : 30 * 86_400)
                    try handoff.execute(arguments: [id, "Load \(number)", recipient, now.addingTimeInterval(-7 * 86_400), expires])
                    try token.execute(arguments: [try StoreFormat.newTokenId(), id, Data((0..<32).map { _ in UInt8.random(in: 0...255) }), now])
                }
            }
            added += size
        }
    }
}
