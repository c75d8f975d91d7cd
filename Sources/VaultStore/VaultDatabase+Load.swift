import Foundation
import GRDB
import HandoffDomain

extension VaultDatabase: BulkLoadable {
    package func addLoadHandoffs(_ count: Int, expiringEvery: Int, now: Date, batch: Int) async throws {
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

    package func appendLoadAuditEvents(_ count: Int64, action: AuditEvent.Action, context: OperationContext, batch: Int64) async throws {
        var left = count
        while left > 0 {
            let size = min(batch, left)
            try await appendAuditEvents(Int(size), action: action, context: context)
            left -= size
        }
    }
}
