import Foundation
import HandoffDomain
import NIOCore
import PostgresNIO
import VaultStore

/// Bulk loading for the scale benchmark (`scale-fill` with a `postgres://` database): the same
/// rows `VaultDatabase`'s load methods write, sent with `COPY … FROM STDIN` in transactions of
/// many rows, so that a store of a million handoffs and ten million events fills in minutes. Run
/// with every node stopped: the events' indices and Merkle nodes are computed here, from the
/// tree's right edge read once.
extension PostgresStore: BulkLoadable {
    package func addLoadHandoffs(_ count: Int, expiringEvery: Int, now: Date, batch: Int) async throws {
        let created = CopyText.timestamp(now.addingTimeInterval(-7 * 86_400))
        let soon = CopyText.timestamp(now.addingTimeInterval(86_400)), later = CopyText.timestamp(now.addingTimeInterval(30 * 86_400))
        let tokenCreated = CopyText.timestamp(now)
        var added = 0
        while added < count {
            let numbers = added..<(added + min(batch, count - added))
            try await transaction(auditLock: false) { connection in
                var handoffs = CopyText(), tokens = CopyText()
                guard let recipient = try await connection.query("SELECT id FROM recipient_key WHERE active", logger: self.logger)
                    .decode(String.self).first(where: { _ in true }) else {
                    throw StoreError(.notFound, "no recipient key registered")
                }
                for number in numbers {
                    let id = UUID().uuidString.lowercased()
                    handoffs.row([id, "Load \(number)", "invited", recipient, created, number % expiringEvery == 0 ? soon : later, "0"])
                    tokens.row([try StoreFormat.newTokenId(), "customer", "invite", id, CopyText.bytea((0..<32).map { _ in UInt8.random(in: 0...255) }), tokenCreated])
                }
                try await handoffs.copy(into: "handoff", ["id", "customer", "state", "recipient_key_id", "created_at", "expires_at", "submission_count"], connection, logger: self.logger)
                try await tokens.copy(into: "token", ["id", "role", "name", "handoff_id", "hash", "created_at"], connection, logger: self.logger)
            }
            added = numbers.upperBound
        }
    }

    /// The rows are computed here from the tree's right edge, read once (`AuditRows` carries it
    /// from event to event), and sent with `COPY`; each transaction first checks, under the audit
    /// lock, that the tree is still where the load left it.
    package func appendLoadAuditEvents(_ count: Int64, action: AuditEvent.Action, context: OperationContext, batch: Int64) async throws {
        let (size, edge) = try await read { try await self.nextLeaf($0) }
        var rows = AuditRows(after: AuditCursor.Position(size: size, edge: edge), signer: checkpointSigner)
        let end = size + count
        let created = CopyText.timestamp(context.now)
        while rows.position.size < end {
            let first = rows.position.size
            for _ in first..<min(end, first + batch) {
                try rows.append(action, outcome: .denied, context: context)
            }
            var events = CopyText(), nodes = CopyText(), checkpoints = CopyText()
            for event in rows.events { events.row(["\(event.index)", CopyText.bytea(event.event), CopyText.bytea(event.leafHash)]) }
            for node in rows.nodes { nodes.row(["\(node.level)", "\(node.index)", CopyText.bytea(node.hash)]) }
            for checkpoint in rows.checkpoints { checkpoints.row(["\(checkpoint.size)", CopyText.text(checkpoint.note), created]) }
            rows.removeAll()
            let (eventRows, nodeRows, checkpointRows) = (events, nodes, checkpoints)
            try await transaction(auditLock: true) { connection in
                // Offline, but checked: a node that appended meanwhile would make these indices wrong.
                guard try await self.treeSize(connection) == first else {
                    throw StoreError(.conflict, "the audit log grew while loading; stop every node first")
                }
                try await eventRows.copy(into: "audit_event", ["id", "event", "leaf_hash"], connection, logger: self.logger)
                try await nodeRows.copy(into: "merkle_node", ["level", "idx", "hash"], connection, logger: self.logger)
                try await checkpointRows.copy(into: "checkpoint", ["tree_size", "note", "created_at"], connection, logger: self.logger)
            }
        }
    }
}

/// Rows in `COPY`'s text format: tab-separated fields, one row per line. Ids, numbers, timestamps
/// and hex hold no tab, newline or backslash; free text goes through `text(_:)`.
private struct CopyText: Sendable {
    private var text = ""

    mutating func row(_ fields: [String]) {
        text += fields.joined(separator: "\t")
        text += "\n"
    }

    /// `bytes` as bytea's hex input, its backslash escaped for the text format. (Not
    /// `Hex.encode`, which makes a String per byte: too slow for ten million events, and the
    /// page's WebAssembly module embeds that one byte for byte.)
    static func bytea(_ bytes: [UInt8]) -> String {
        var text = Array("\\\\x".utf8)
        text.reserveCapacity(text.count + 2 * bytes.count)
        for byte in bytes {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `value` with the characters the text format gives a meaning escaped.
    static func text(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\t", with: "\\t")
    }

    static func timestamp(_ date: Date) -> String {
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return format.string(from: date)
    }

    func copy(into table: String, _ columns: [String], _ connection: PostgresConnection, logger: Logger) async throws {
        guard !text.isEmpty else { return }
        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
            try await writer.write(ByteBuffer(string: text))
        }
    }
}
