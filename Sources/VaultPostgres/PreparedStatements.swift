import Foundation
import NIOCore
import NIOFoundationCompat
import HandoffDomain
import PostgresNIO
import VaultStore

/// The statements every audited write runs, prepared once per connection: PostgreSQL parses and
/// plans them once instead of on every call (planning the next-leaf read alone cost 0.55 ms, more
/// than running it).
enum PreparedStatements {
    /// The tree's size (the next leaf's index), and for each bit of it the root of that perfect
    /// subtree on the right edge: level, index, hash (null where the bit is 0). A scalar subquery
    /// per level, so an index lookup each, never a scan of the tree.
    struct NextLeaf: PostgresPreparedStatement {
        static let name = "handoff_next_leaf"
        static let sql = """
            WITH size AS (SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM merkle_node WHERE level = 0)
            SELECT size.n, l::bigint, (size.n >> l) - 1, (SELECT hash FROM merkle_node WHERE level = l AND idx = (size.n >> l) - 1)
            FROM size LEFT JOIN generate_series(0, 62) AS l ON (size.n >> l) & 1 = 1
            """
        typealias Row = (Int64, Int64?, Int64?, Data?)

        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// `NextLeaf`'s rows, read once this transaction holds the audit lock, which it takes first
    /// (the schema's `handoff_lock_audit`): one round trip where there were two.
    struct LockAudit: PostgresPreparedStatement {
        static let name = "handoff_lock_audit"
        static let sql = "SELECT * FROM handoff_lock_audit($1)"
        typealias Row = NextLeaf.Row
        let lockKey: Int64

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(lockKey)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Audit events (`AuditRows`) alone, in one statement however many.
    struct AppendAudit: AuditWriting {
        static let name = "handoff_append_audit"
        static let sql = "WITH \(auditInsertions(from: 1)) SELECT 1"
        typealias Row = Void

        let audit: AuditRows
        let at: Date

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings()
            audit.bind(into: &bindings, at: at)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// The common table expressions that write `AuditRows` — the events, every Merkle node they
    /// complete, the handoff events they announce and the checkpoints due after them — from the
    /// twelve parameters `AuditRows.bind` adds, numbered from `first`. PostgreSQL runs every
    /// data-modifying expression of a statement once, whatever its main part reads; a row already
    /// at one of the indices (or sizes) makes the whole statement fail.
    static func auditInsertions(from first: Int) -> String {
        let p = (0..<12).map { "$\(first + $0)" }
        return """
            leaf AS (INSERT INTO audit_event (id, event, leaf_hash) SELECT * FROM unnest(\(p[0])::bigint[], \(p[1])::bytea[], \(p[2])::bytea[])),
            node AS (INSERT INTO merkle_node (level, idx, hash) SELECT * FROM unnest(\(p[3])::bigint[], \(p[4])::bigint[], \(p[5])::bytea[])),
            announced AS (INSERT INTO event (id, type, handoff_id, at) SELECT a.*, \(p[11])::timestamptz FROM unnest(\(p[6])::bigint[], \(p[7])::text[], \(p[8])::text[]) AS a),
            signed AS (INSERT INTO checkpoint (tree_size, note, created_at) SELECT c.*, \(p[11])::timestamptz FROM unnest(\(p[9])::bigint[], \(p[10])::text[]) AS c)
            """
    }
}

/// A prepared statement that writes audit rows (`PreparedStatements.auditInsertions`), with or
/// without other rows of the same operation; `PostgresStore.run(_:_:)` runs it and moves the group's
/// `AuditCursor` past them.
protocol AuditWriting: PostgresPreparedStatement where Row == Void {
    /// The rows it writes.
    var audit: AuditRows { get }
}

extension AuditRows {
    /// The twelve parameters of `PreparedStatements.auditInsertions`, in its order; `at` dates
    /// the announcements and checkpoints.
    func bind(into bindings: inout PostgresBindings, at: Date) {
        bindings.append(events.map(\.index))
        bindings.append(events.map { ByteBuffer(bytes: $0.event) })
        bindings.append(events.map { ByteBuffer(bytes: $0.leafHash) })
        bindings.append(nodes.map(\.level))
        bindings.append(nodes.map(\.index))
        bindings.append(nodes.map { ByteBuffer(bytes: $0.hash) })
        bindings.append(announcements.map(\.id))
        bindings.append(announcements.map(\.type))
        bindings.append(announcements.map(\.handoffId))
        bindings.append(checkpoints.map(\.size))
        bindings.append(checkpoints.map(\.note))
        bindings.append(at)
    }
}

extension PreparedStatements {
    /// A handoff row (`HandoffRecord.postgresColumns`) by id.
    struct HandoffRow: PostgresPreparedStatement {
        static let name = "handoff_row"
        static let sql = "SELECT \(HandoffRecord.postgresColumns) FROM handoff WHERE id = $1"
        typealias Row = HandoffColumns
        let id: String

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// A handoff row by id, locked for the rest of the transaction.
    struct HandoffRowForUpdate: PostgresPreparedStatement {
        static let name = "handoff_row_for_update"
        static let sql = HandoffRow.sql + " FOR UPDATE"
        typealias Row = HandoffColumns
        let id: String

        func makeBindings() -> PostgresBindings { HandoffRow(id: id).makeBindings() }
        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// The handoff rows of a group's submissions, locked for the rest of the transaction (in id
    /// order, as every other group locks them).
    struct HandoffRowsForUpdate: PostgresPreparedStatement {
        static let name = "handoff_rows_for_update"
        static let sql = "SELECT \(HandoffRecord.postgresColumns) FROM handoff WHERE id = ANY($1) ORDER BY id FOR UPDATE"
        typealias Row = HandoffColumns
        let ids: [String]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(ids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Submissions — one, or a group's `SubmissionBatch` — with their handoffs' new states and
    /// counts and their audit rows, in one statement.
    struct StoreSubmissions: AuditWriting {
        /// One submission's row.
        struct Submission: Sendable {
            let record: SealedRecord
            let handoffId: String
            let recipientKeyId: String
            let receivedAt: Date
            let auditIndex: Int64
            let receipt: String
        }

        static let name = "handoff_store_submissions"
        static let sql = """
            WITH \(auditInsertions(from: 14)),
            stored AS (
                INSERT INTO submission (id, handoff_id, recipient_key_id, received_at, audit_index, sealed_sha256, ciphertext,
                                        wrapped_key, key_version, record_key_version, receipt)
                SELECT s.id, s.handoff_id, s.recipient_key_id, s.received_at, s.audit_index, s.sealed_sha256, s.ciphertext,
                       s.wrapped_key, s.key_version, s.key_version, s.receipt
                FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::bigint[], $6::bytea[], $7::bytea[],
                            $8::bytea[], $9::bigint[], $10::text[])
                    AS s(id, handoff_id, recipient_key_id, received_at, audit_index, sealed_sha256, ciphertext, wrapped_key, key_version, receipt)
            ),
            announced_change AS (SELECT pg_notify($26::text, $27::text))
            UPDATE handoff SET state = c.state, submission_count = handoff.submission_count + c.added
            FROM unnest($11::text[], $12::text[], $13::bigint[]) AS c(id, state, added), announced_change WHERE handoff.id = c.id
            """
        typealias Row = Void
        let submissions: [Submission]
        let handoffs: [(id: String, state: HandoffState, added: Int64)]
        let audit: AuditRows
        /// The notification that tells the other nodes the handoffs' views changed
        /// (`PostgresStore.announcement`), sent by this statement so that the group needs no
        /// round trip of its own for it; PostgreSQL sends it at commit, once however often a
        /// transaction repeats it.
        let announcement: (channel: String, payload: String)

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(submissions.map(\.record.id))
            bindings.append(submissions.map(\.handoffId))
            bindings.append(submissions.map(\.recipientKeyId))
            bindings.append(submissions.map(\.receivedAt))
            bindings.append(submissions.map(\.auditIndex))
            bindings.append(submissions.map { ByteBuffer(bytes: $0.record.sha256) })
            bindings.append(submissions.map { ByteBuffer(data: $0.record.ciphertext) })
            bindings.append(submissions.map { ByteBuffer(data: $0.record.wrappedKey) })
            bindings.append(submissions.map { Int64($0.record.keyVersion) })
            bindings.append(submissions.map(\.receipt))
            bindings.append(handoffs.map(\.id))
            bindings.append(handoffs.map(\.state.rawValue))
            bindings.append(handoffs.map(\.added))
            // The announcements and checkpoints are dated by the batch's last submission.
            audit.bind(into: &bindings, at: submissions.map(\.receivedAt).max() ?? Date())
            bindings.append(announcement.channel)
            bindings.append(announcement.payload)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }
}

extension PostgresConnection {
    /// Runs a prepared statement that returns no rows, to its end.
    func run<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws where Statement.Row == Void {
        for try await _ in try await execute(statement, logger: logger) {}
    }
}
