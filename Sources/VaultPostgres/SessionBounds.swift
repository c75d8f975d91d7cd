import Foundation

/// The limits every node sets on its own PostgreSQL sessions (startup parameters), so that no
/// transaction — and so no holder of the audit lock — can stall the cluster:
///
/// - `lock_timeout`: a write waits at most this long for the audit lock (or a row lock), then
///   fails with SQLSTATE 55P03 and the request is answered 503 "try again": a node whose peer
///   stalls while holding the lock answers within the README's 5 s instead of hanging.
/// - `idle_in_transaction_session_timeout`: a session that holds a transaction open without
///   sending anything (its node paused by the hypervisor, stopped, or cut off) is ended by
///   PostgreSQL, which rolls its transaction back whole and frees the lock for everyone else.
/// - `statement_timeout`: no statement runs longer, whatever it waits on.
/// - `tcp_keepalives_*`: PostgreSQL notices a node that vanished from the network in about 25 s
///   even outside a transaction, instead of the kernel's two hours.
/// - `application_name`: `handoffd <pid>`, so an operator sees in `pg_stat_activity` which node
///   holds what.
enum SessionBounds {
    /// How long a write waits for the audit lock before answering 503.
    static let lockTimeout = "3s"
    /// How long a session may sit inside a transaction sending nothing.
    static let idleInTransactionTimeout = "10s"
    /// The longest any one statement may run.
    static let statementTimeout = "30s"
    /// How long `/readyz` waits for the audit lock before saying this node cannot write.
    static let readinessLockTimeout = "1s"

    static var startupParameters: [(String, String)] {
        [
            ("application_name", "handoffd \(ProcessInfo.processInfo.processIdentifier)"),
            ("lock_timeout", lockTimeout),
            ("idle_in_transaction_session_timeout", idleInTransactionTimeout),
            ("statement_timeout", statementTimeout),
            ("tcp_keepalives_idle", "10"),
            ("tcp_keepalives_interval", "5"),
            ("tcp_keepalives_count", "3"),
        ]
    }
}
