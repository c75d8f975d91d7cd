import Foundation
import HandoffDomain
import PostgresNIO
import VaultCrypto
import VaultStore

extension PostgresStore {
    /// The schema, version by version, as SQLite's (`Schema.swift`) in PostgreSQL's types: the
    /// same tables and columns, so that the store's rules read the same on both.
    static let migrations: [(version: Int, statements: [String])] = [
        (1, [
            "CREATE TABLE setting (name text PRIMARY KEY, value text NOT NULL)",
            "CREATE TABLE server_secret (name text PRIMARY KEY, wrapped bytea NOT NULL, key_version bigint NOT NULL)",
            """
            CREATE TABLE recipient_key (id text PRIMARY KEY, public_key bytea NOT NULL UNIQUE, signing_public_key bytea,
                created_at timestamptz NOT NULL, active boolean NOT NULL)
            """,
            """
            CREATE TABLE handoff (id text PRIMARY KEY, customer text NOT NULL, state text NOT NULL,
                recipient_key_id text NOT NULL REFERENCES recipient_key, created_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL, released_at timestamptz, acknowledged_at timestamptz,
                submission_count bigint NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX handoff_on_state ON handoff (state)",
            """
            CREATE TABLE token (id text PRIMARY KEY, role text NOT NULL, name text NOT NULL,
                handoff_id text REFERENCES handoff ON DELETE CASCADE, hash bytea NOT NULL UNIQUE,
                created_at timestamptz NOT NULL, revoked_at timestamptz, expires_at timestamptz)
            """,
            """
            CREATE TABLE submission (id text PRIMARY KEY, handoff_id text NOT NULL REFERENCES handoff,
                recipient_key_id text NOT NULL REFERENCES recipient_key, received_at timestamptz NOT NULL,
                audit_index bigint NOT NULL, sealed_sha256 bytea NOT NULL, ciphertext bytea NOT NULL, wrapped_key bytea NOT NULL,
                key_version bigint NOT NULL, record_key_version bigint NOT NULL, receipt text NOT NULL)
            """,
            "CREATE INDEX submission_on_handoff_audit ON submission (handoff_id, audit_index)",
            """
            CREATE TABLE package (id text PRIMARY KEY, handoff_id text NOT NULL UNIQUE REFERENCES handoff,
                delivered_at timestamptz NOT NULL, sha256 bytea NOT NULL, size bigint NOT NULL, signature text NOT NULL,
                ciphertext bytea NOT NULL, wrapped_key bytea NOT NULL, key_version bigint NOT NULL, record_key_version bigint NOT NULL)
            """,
            "CREATE TABLE audit_event (id bigint PRIMARY KEY, event bytea NOT NULL, leaf_hash bytea NOT NULL)",
            "CREATE TABLE merkle_node (level bigint NOT NULL, idx bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY (level, idx))",
            "CREATE TABLE checkpoint (tree_size bigint PRIMARY KEY, note text NOT NULL, created_at timestamptz NOT NULL)",
        ]),
        // The customer's tenant when the operator pins it in the invite (SQLite's v8).
        (2, ["ALTER TABLE handoff ADD COLUMN tenant_id text"]),
        // Witnesses' cosignatures of the log's checkpoints (SQLite's v9).
        (3, ["""
            CREATE TABLE cosignature (tree_size bigint NOT NULL, witness text NOT NULL, line text NOT NULL,
                received_at timestamptz NOT NULL, PRIMARY KEY (tree_size, witness))
            """]),
        // The events outbox (SQLite's v10).
        (4, ["CREATE TABLE event (id bigint PRIMARY KEY, type text NOT NULL, handoff_id text NOT NULL, at timestamptz NOT NULL)"]),
        // Webhook endpoints and their delivery log (SQLite's v11).
        (5, [
            """
            CREATE TABLE webhook (id text PRIMARY KEY, url text NOT NULL, events text NOT NULL, created_at timestamptz NOT NULL,
                cursor bigint NOT NULL, failures bigint NOT NULL, first_failure_at timestamptz, next_attempt_at timestamptz,
                disabled_at timestamptz, disabled_reason text, lease_until timestamptz)
            """,
            """
            CREATE TABLE webhook_delivery (id bigserial PRIMARY KEY, webhook_id text NOT NULL, event_id bigint NOT NULL, attempt bigint NOT NULL,
                at timestamptz NOT NULL, status bigint, outcome text NOT NULL, milliseconds bigint NOT NULL)
            """,
            "CREATE INDEX webhook_delivery_on_webhook ON webhook_delivery (webhook_id)",
        ]),
        // A purge stops each handoff's invite tokens by handoff (SQLite's v12).
        (6, ["CREATE INDEX token_on_handoff ON token (handoff_id)"]),
        // A group transaction takes the audit lock and reads the tree's right edge in one round
        // trip (`PreparedStatements.LockAudit`): a volatile SQL function's second query takes a
        // new snapshot, after the lock, so it sees every group committed before.
        (7, [
            """
            CREATE FUNCTION handoff_lock_audit(lock_key bigint) RETURNS TABLE (tree_size bigint, node_level bigint, node_index bigint, node_hash bytea)
            LANGUAGE sql VOLATILE AS $$
                SELECT pg_advisory_xact_lock(lock_key);
                WITH tree AS (SELECT COALESCE(MAX(m.idx) + 1, 0) AS n FROM merkle_node m WHERE m.level = 0)
                SELECT tree.n, l::bigint, (tree.n >> l) - 1, (SELECT m.hash FROM merkle_node m WHERE m.level = l AND m.idx = (tree.n >> l) - 1)
                FROM tree LEFT JOIN generate_series(0, 62) AS l ON (tree.n >> l) & 1 = 1
            $$
            """,
        ]),
    ]

    /// Brings the schema up to date, once, whichever nodes start together (an advisory lock
    /// serializes them; each version is applied in one transaction with its record).
    package func migrate() async throws {
        // No audit lock: schema work writes no audit event, and has its own lock.
        try await write(auditLock: false) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.schemaLockKey))", logger: self.logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS schema_version (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL)", logger: self.logger)
            var applied: Set<Int64> = []
            for try await version in try await connection.query("SELECT version FROM schema_version", logger: self.logger).decode(Int64.self) {
                applied.insert(version)
            }
            for migration in Self.migrations where !applied.contains(Int64(migration.version)) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.query("INSERT INTO schema_version (version, applied_at) VALUES (\(Int64(migration.version)), \(Date()))", logger: self.logger)
            }
        }
    }

    // MARK: Setup

    /// Creates the server's signing key and token pepper (wrapped by `master`) and the bootstrap
    /// admin token; refuses a database that is already initialised.
    package func initialize(master: MasterKey, keyName: String, adminToken: BearerToken, now: Date) async throws -> ServerKeys {
        let keys = try ServerKeys.generate(master: master, keyName: keyName)
        let initialSecrets = try keys.wrappedSecrets()
        let adminHash = try keys.tokenHash(adminToken)
        let adminId = try StoreFormat.newTokenId()
        useKeys(keys)
        try await write { connection in
            let count = try await connection.query("SELECT COUNT(*) FROM setting", logger: self.logger).decode(Int64.self).first { _ in true } ?? 0
            guard count == 0 else { throw StoreError(.alreadyInitialized, "this database is already initialised") }
            for (name, wrapped) in initialSecrets {
                try await connection.query(
                    "INSERT INTO server_secret (name, wrapped, key_version) VALUES (\(name), \(Data(wrapped)), \(Int64(master.version)))", logger: self.logger
                )
            }
            try await connection.query("INSERT INTO setting (name, value) VALUES (\(StoreFormat.keyNameSetting), \(keyName))", logger: self.logger)
            try await connection.query("""
                INSERT INTO token (id, role, name, handoff_id, hash, created_at) VALUES
                (\(adminId), \(Role.admin.rawValue), 'bootstrap admin', NULL, \(adminHash), \(now))
                """, logger: self.logger)
            let context = OperationContext(principal: Principal(tokenId: adminId, role: .admin, handoffId: nil), remote: "local", requestId: "init", now: now)
            try await self.audit(connection, .initialized, context: context)
        }
        return keys
    }

    /// Opens the server's keys with `master`; fails when the database is not initialised or the
    /// master key is not the one it was initialised with.
    package func loadKeys(master: MasterKey) async throws -> ServerKeys {
        let (records, keyName) = try await read { connection -> ([String: (Data, Int64)], String?) in
            var records: [String: (Data, Int64)] = [:]
            for try await (name, wrapped, version) in try await connection.query(
                "SELECT name, wrapped, key_version FROM server_secret", logger: self.logger
            ).decode((String, Data, Int64).self) {
                records[name] = (wrapped, version)
            }
            let keyName = try await connection.query(
                "SELECT value FROM setting WHERE name = \(StoreFormat.keyNameSetting)", logger: self.logger
            ).decode(String.self).first { _ in true }
            return (records, keyName)
        }
        func open(_ name: String) throws -> SecretBytes {
            guard let (wrapped, version) = records[name], let keyName, !keyName.isEmpty else {
                throw StoreError(.keysUnavailable, "the database is not initialised; run handoffd init --database-url first")
            }
            do {
                return try XChaCha20Poly1305.open([UInt8](wrapped), key: master.key, associatedData: StoreFormat.secretContext(name, Int(version)))
            } catch {
                throw StoreError(.keysUnavailable, "the server keys do not open with this master key")
            }
        }
        let signing = try SigningKeyPair(seed: try open(StoreFormat.signingSecretName))
        return ServerKeys(signing: signing, keyName: keyName ?? "", pepper: try open(StoreFormat.pepperSecretName), master: master)
    }
}
