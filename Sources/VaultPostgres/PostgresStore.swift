import Foundation
import HandoffDomain
import Logging
import NIOSSL
import PostgresNIO
import Synchronization
import VaultCrypto
import VaultStore

/// The vault's storage on PostgreSQL, for several `handoffd` nodes sharing one database: the same
/// `HandoffStore` operations, schema, envelope encryption and audit log as `VaultDatabase`, each
/// operation one transaction with its audit event inside it.
///
/// Audited writes on one node share transactions (group commit, `groupWrite`); a member that
/// fails leaves nothing written and takes no other member's write with it.
///
/// The audit log stays one RFC 9162 tree across nodes: every transaction that appends to it
/// first takes one transaction-scoped advisory lock (`pg_advisory_xact_lock`), so appends are
/// serialized in the database itself; the next index is read under that lock from the tree's own
/// leaves, and the leaf's primary key refuses a second row at the same index. Two nodes can
/// therefore never write the same index (no fork) and an index is never skipped (no gap): a
/// transaction that fails rolls its append back with everything else.
///
/// Each node caches principals and handoff views for at most `cacheLifetime` (1 s), and forgets
/// them as soon as any node announces a change (`PostgresStore+Caches`): a token revoked through
/// one node stops working on every node within that second, usually within milliseconds.
package final class PostgresStore: HandoffStore {
    /// The key of the advisory lock that serializes audited writes (an arbitrary constant).
    static let auditLockKey: Int64 = 0x4856_4155_4449_5400  // "HVAUDIT"
    /// The key of the advisory lock that serializes schema migration when nodes start together.
    static let schemaLockKey: Int64 = 0x4856_5343_4845_4d41  // "HVSCHEMA"

    /// The connection pool; `run()` must be running while the store is used.
    package let client: PostgresClient
    let logger: Logger
    /// Where the database is, without its password (for messages).
    package let location: String
    private let serverKeys = ServerKeyHolder()
    /// This node's name on the change channel (its own announcements are not news to it).
    let nodeId = UUID().uuidString.lowercased()
    /// Principals by token hash, and handoff views by id, for at most `cacheLifetime`.
    let principals: ExpiringCache<Data, Principal>
    let views: ExpiringCache<String, HandoffView>
    /// Audited writes waiting for this node's next group transaction.
    let pendingWrites = GroupQueue<PendingWrite>(maximumGroup: PendingWrite.maximumGroup)
    /// The statements that wrote batched submissions (`SubmissionBatch`): how many, carrying how
    /// many submissions, and how many PostgreSQL refused.
    let submissionBatches = BatchTally()

    /// A store for `url` (`postgres://user[:password]@host[:port]/database[?sslmode=…&sslrootcert=…]`,
    /// see `DatabaseURL`). Nothing connects until `run()` runs and an operation asks; at most
    /// `maximumConnections` are open at once (20 for a node; the tests' many small stores use fewer).
    /// What this node caches is forgotten after `cacheLifetime` seconds even if no change is
    /// announced.
    package init(
        url: String, maximumConnections: Int = 20, cacheLifetime: TimeInterval = 1, logger: Logger = Logger(label: "handoffd.postgres")
    ) throws {
        let parsed = try DatabaseURL(url)
        var configuration = PostgresClient.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.user, password: parsed.password, database: parsed.database,
            tls: try parsed.tls()
        )
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.additionalStartupParameters = SessionBounds.startupParameters
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        principals = ExpiringCache(ttl: cacheLifetime)
        views = ExpiringCache(ttl: cacheLifetime)
        self.logger = logger
        location = parsed.redacted
    }

    /// Whether `url` carries a password (which must then not be given on a command line).
    package static func carriesPassword(_ url: String) -> Bool {
        URLComponents(string: url)?.password?.isEmpty == false
    }

    /// `url` without its password, for messages and `config check`.
    package static func redacted(_ url: String) -> String {
        (try? DatabaseURL(url).redacted) ?? "(not a postgres:// URL)"
    }

    /// Runs the connection pool, and listens for other nodes' changes, until the calling task is
    /// cancelled.
    package func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.followChanges() }
        }
    }

    /// Runs `body` with the pool (and the change listener) running, then stops them: for serving
    /// and the offline commands.
    package func withRunning<Result: Sendable>(_ body: @Sendable (PostgresStore) async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { await self.run(); return nil }
            defer { group.cancelAll() }
            try await waitUntilReachable()
            return try await body(self)
        }
    }

    // MARK: Keys

    /// Holds the server's keys from now on, signing a checkpoint every `checkpointInterval` events.
    package func useKeys(_ keys: ServerKeys, checkpointInterval: Int64 = 100) {
        serverKeys.use(keys, checkpointInterval: checkpointInterval)
    }

    var checkpointSigner: CheckpointSigner? { serverKeys.signer }

    /// The server's keys, or `keysUnavailable` before they were opened.
    package func keys() throws -> ServerKeys { try serverKeys.keys() }

    package func serverSigningKey() throws -> SigningPublicKey { try keys().signing.publicKey }

    package func webhookSignature(endpointId: String, message: [UInt8]) throws -> [UInt8] {
        try keys().webhookSigningKey(endpointId: endpointId).sign(message)
    }

    package func webhookPublicKey(endpointId: String) throws -> SigningPublicKey {
        try keys().webhookSigningKey(endpointId: endpointId).publicKey
    }

    // MARK: Transactions

    /// How long an operation waits for a connection before it answers 503: a node that lost the
    /// database fails requests quickly instead of holding them (the pool keeps reconnecting).
    static let leaseTimeout: Duration = .seconds(5)

    /// One write: with `auditLock` (every write that appends to the audit log), a member of this
    /// node's next group transaction (`groupWrite`); without, a transaction of its own.
    /// PostgreSQL's failures become `storageFailure` (503: nothing was changed).
    @discardableResult
    func write<Result: Sendable>(auditLock: Bool = true, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        if auditLock { return try await groupWrite(body) }
        return try await transaction(auditLock: false, body)
    }

    /// One transaction on a pooled connection: the audit lock first when asked, then `body`.
    func transaction<Result: Sendable>(auditLock: Bool, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        try await mapped {
            try await self.leased { connection in
                try await connection.withTransaction(logger: self.logger) { connection in
                    if auditLock {
                        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.auditLockKey))", logger: self.logger)
                    }
                    return try await body(connection)
                }
            }
        }
    }

    /// Runs `body` on a pooled connection, in no transaction of this layer's: one read, or work
    /// that runs its own transactions (the group commit).
    func read<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        try await mapped { try await self.leased(body) }
    }

    /// How long an operation may run once it has its connection. Every statement is bounded by
    /// the server (`SessionBounds`), but a connection PostgreSQL ended mid-transaction (a node that
    /// was paused past `idle_in_transaction_session_timeout`) can leave the driver waiting for an
    /// answer that never comes; past this the request is answered instead of hanging for ever.
    static let operationTimeout: Duration = .seconds(40)

    /// Runs `body` on a pooled connection, giving up with `storageFailure` when no connection is
    /// leased within `leaseTimeout`, or when `body` has not finished `operationTimeout` later. The
    /// second case cannot tell whether a COMMIT went through, and says so; the abandoned work is
    /// cancelled and left to end (or not) on its own, so that it cannot hold the request.
    private func leased<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        let started = StartFlag()
        let answer = OneAnswer<Result>()
        let deadline = DeadlineHandle()
        return try await withCheckedThrowingContinuation { continuation in
            answer.set(continuation)
            let work = Task {
                do {
                    answer.resume(.success(try await self.client.withConnection { connection in
                        started.set()
                        return try await ConnectionExecutor.onEventLoop(of: connection) { try await body(connection) }
                    }))
                } catch {
                    answer.resume(.failure(error))
                }
                // The deadline ends with the work, so none outlives a finished operation.
                deadline.cancel()
            }
            deadline.set(Task {
                do { try await Task.sleep(for: Self.leaseTimeout) } catch { return }
                if !started.isSet, answer.resume(.failure(StoreError(
                    .storageFailure, "no database connection within \(Self.leaseTimeout): the database at \(self.location) does not answer"
                ))) {
                    work.cancel()
                    return
                }
                do { try await Task.sleep(for: Self.operationTimeout) } catch { return }
                if answer.resume(.failure(StoreError(
                    .storageFailure, "the database at \(self.location) did not finish the operation within \(Self.operationTimeout); it may or may not have been applied"
                ))) {
                    work.cancel()
                }
            })
        }
    }

    /// Store errors pass; PostgreSQL's (and the pool's) become `storageFailure`, naming only the
    /// SQLSTATE, never a statement or its arguments.
    private func mapped<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch {
            throw Self.storeError(error)
        }
    }

    /// The store's own error inside a transaction's, or `storageFailure` for PostgreSQL's.
    static func storeError(_ error: any Error) -> StoreError {
        switch error {
        case let error as StoreError:
            return error
        case let error as PostgresTransactionError:
            // The operation's own refusal (rolled back) is the answer; a failed BEGIN, COMMIT or
            // ROLLBACK is the database's failure.
            if let closure = error.closureError { return storeError(closure) }
            return storeError(error.beginError ?? error.commitError ?? error.rollbackError ?? CancellationError())
        case let error as PSQLError:
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return StoreError(.storageFailure, "the database refused or did not answer\(state)")
        case is CancellationError:
            return StoreError(.storageFailure, "the operation was cancelled")
        default:
            return StoreError(.storageFailure, "the database could not be reached: \(type(of: error))")
        }
    }

    // MARK: Health

    /// Waits (up to `timeout`) until the database answers: the pool has started and the server
    /// takes connections. Throws `storageFailure` naming where it looked and why the last attempt
    /// failed. An attempt may take up to ten seconds here (a first TLS connection on a loaded
    /// machine can take longer than the readiness probe's two).
    package func waitUntilReachable(timeout: Duration = .seconds(15)) async throws {
        let deadline = ContinuousClock.now + timeout
        var lastFailure = "no attempt"
        while ContinuousClock.now < deadline {
            guard let failure = await probe(within: min(.seconds(10), max(.seconds(2), deadline - ContinuousClock.now))) else { return }
            lastFailure = failure
            try await Task.sleep(for: .milliseconds(100))
        }
        throw StoreError(.storageFailure, "the database at \(location) does not answer (last attempt: \(lastFailure))")
    }

    /// Readiness: the database answers and this node can take the audit lock within
    /// `SessionBounds.readinessLockTimeout` — so a node stuck behind a stalled lock holder on
    /// another node leaves the load balancer's rotation instead of taking writes it cannot make.
    /// A database that does not answer within two seconds is not ready.
    package func isReachable() async -> Bool {
        await probe(within: .seconds(2)) == nil
    }

    /// One readiness attempt bounded by `bound`: nil when it succeeded, else why not (a driver
    /// error's type and code, never its text, which can hold connection details).
    private func probe(within bound: Duration) async -> String? {
        let attempt: @Sendable () async -> String? = {
            do {
                let locked = try await self.client.withConnection { connection in
                    try await connection.withTransaction(logger: self.logger) { connection in
                        try await connection.query("SET LOCAL lock_timeout = '\(unescaped: SessionBounds.readinessLockTimeout)'", logger: self.logger)
                        return try await connection.query("SELECT pg_advisory_xact_lock(\(Self.auditLockKey))", logger: self.logger).collect().count == 1
                    }
                }
                return locked ? nil : "the audit lock query answered nothing"
            } catch let error as PSQLError {
                return "PSQLError \(error.code)"
            } catch {
                return "\(type(of: error))"
            }
        }
        return await withTaskGroup(of: String?.self) { group in
            group.addTask { await attempt() }
            group.addTask {
                try? await Task.sleep(for: bound)
                return "no answer within \(bound)"
            }
            let first = await group.next() ?? "no answer"
            group.cancelAll()
            return first
        }
    }

    /// Bytes used by the whole database (shared by every node).
    package func storageBytes() -> Int? { nil }
}

/// The one answer of a raced operation: the first `resume` wins, later ones are ignored.
private final class OneAnswer<Value: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Value, any Error>?, pending: Result<Value, any Error>?, done: Bool)>((nil, nil, false))

    func set(_ continuation: CheckedContinuation<Value, any Error>) {
        let pending: Result<Value, any Error>? = state.withLock { state in
            if let pending = state.pending { return pending }
            state.continuation = continuation
            return nil
        }
        if let pending { continuation.resume(with: pending) }
    }

    /// Answers with `result` unless an answer was given already; true when this one was.
    @discardableResult
    func resume(_ result: Result<Value, any Error>) -> Bool {
        let continuation: CheckedContinuation<Value, any Error>?? = state.withLock { state in
            guard !state.done else { return .none }
            state.done = true
            if let continuation = state.continuation { return .some(continuation) }
            state.pending = result
            return .some(nil)
        }
        guard case .some(let waiting) = continuation else { return false }
        waiting?.resume(with: result)
        return true
    }
}

/// An operation's deadline task, cancelled by the operation when it ends (whichever of the two is
/// set up first).
private final class DeadlineHandle: Sendable {
    private let state = Mutex<(task: Task<Void, Never>?, cancelled: Bool)>((nil, false))

    func set(_ task: Task<Void, Never>) {
        let cancelled = state.withLock { state in
            state.task = task
            return state.cancelled
        }
        if cancelled { task.cancel() }
    }

    func cancel() {
        let task = state.withLock { state in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
    }
}

/// Whether an operation got its connection (shared by the operation and its lease timer).
private final class StartFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// A `postgres://` URL, parsed; the password is kept only for connecting. Parameters as libpq's:
/// `sslmode` (`require`, the default: encrypted; `verify-ca`: the server's certificate must chain to
/// `sslrootcert` or the system's roots; `verify-full`: and name the host; `disable`: plain TCP, for a
/// database on the same host or a private link) and `sslrootcert` (a PEM file). libpq's `allow` and
/// `prefer` fall back to plain text silently, and any other parameter would be ignored silently
/// (a typo like `sslmod=require` leaving the connection in clear): both are refused.
struct DatabaseURL {
    enum TLSMode: String, CaseIterable {
        case disable
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    static let parameters = ["sslmode", "sslrootcert"]

    let host: String
    let port: Int
    let user: String
    let password: String?
    let database: String
    let tlsMode: TLSMode
    let rootCertificate: String?

    init(_ text: String) throws {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty
        else {
            throw SettingsError("database_url must be like postgres://user:password@host:5432/database")
        }
        self.host = host
        port = components.port ?? 5432
        self.user = user
        password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? user : path
        let items = components.queryItems ?? []
        let unknown = items.map(\.name).filter { !Self.parameters.contains($0) }
        guard unknown.isEmpty else {
            throw SettingsError("database_url: unknown parameter \(unknown.joined(separator: ", ")) (known: \(Self.parameters.joined(separator: ", ")))")
        }
        guard Set(items.map(\.name)).count == items.count else {
            throw SettingsError("database_url: a parameter is given twice")
        }
        let modeText = items.first { $0.name == "sslmode" }?.value ?? TLSMode.require.rawValue
        guard let mode = TLSMode(rawValue: modeText) else {
            throw SettingsError(
                "database_url: sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", ")) (allow and prefer may fall back to plain text)"
            )
        }
        tlsMode = mode
        rootCertificate = items.first { $0.name == "sslrootcert" }?.value
        if rootCertificate != nil, mode == .disable || mode == .require {
            throw SettingsError("database_url: sslrootcert is used only with sslmode=verify-ca or verify-full")
        }
        if mode == .verifyFull, Self.isIPAddress(host) {
            throw SettingsError("database_url: sslmode=verify-full checks the certificate against a host name; name the database by the name in its certificate, not \(host)")
        }
    }

    /// The client's TLS for this URL's `sslmode`.
    func tls() throws -> PostgresClient.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch tlsMode {
        case .disable: return .disable
        case .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let rootCertificate {
            guard FileManager.default.isReadableFile(atPath: rootCertificate),
                  let certificates = try? NIOSSLCertificate.fromPEMFile(rootCertificate), !certificates.isEmpty
            else {
                throw SettingsError("database_url: sslrootcert \(rootCertificate) is not a readable PEM certificate file")
            }
            tls.trustRoots = .certificates(certificates)
        }
        return .require(tls)
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        return inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1
    }

    /// The URL without its password, for messages and `config check`.
    var redacted: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)?sslmode=\(tlsMode.rawValue)"
    }
}
