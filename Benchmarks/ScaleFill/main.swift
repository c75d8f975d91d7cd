// The scale benchmark's filler (scripts/bench/scale.py): adds handoffs (with their invite tokens)
// and audit events to a stopped vault's store — an SQLite file, or a postgres:// database — in
// large transactions, through the store's own code, so that the served store is what a vault of
// that size would hold.
import Foundation
import HandoffDomain
import VaultPostgres
import VaultStore

let arguments = CommandLine.arguments
guard arguments.count == 5, let handoffs = Int(arguments[2]), let events = Int64(arguments[3]), let expiringEvery = Int(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: scale-fill DATABASE|postgres://… HANDOFFS EVENTS EXPIRING_EVERY\n".utf8))
    exit(64)
}
guard !PostgresStore.carriesPassword(arguments[1]) else {
    // A command line is visible to every user of the machine.
    FileHandle.standardError.write(Data("scale-fill: the postgres:// URL must not carry a password (use a passwordless role, as the bench server's)\n".utf8))
    exit(64)
}
let now = Date()
let context = OperationContext(principal: nil, remote: "127.0.0.1", requestId: "scale-fill", now: now)
let start = Date()

/// Fills `store`; returns the seconds the handoffs took and the log's size after.
@Sendable func fill(_ store: any BulkLoadable) async throws -> (handoffSeconds: Double, size: Int64) {
    try await store.addLoadHandoffs(handoffs, expiringEvery: expiringEvery, now: now, batch: 10_000)
    let handoffSeconds = Date().timeIntervalSince(start)
    let before = try await store.auditSize()
    try await store.appendLoadAuditEvents(max(0, events - before), action: .requestRefused, context: context, batch: 50_000)
    return (handoffSeconds, try await store.auditSize())
}

let filled = arguments[1].hasPrefix("postgres")
    ? try await PostgresStore(url: arguments[1]).withRunning { try await fill($0) }
    : try await fill(try VaultDatabase(path: arguments[1]))
print("{\"handoffs\":\(handoffs),\"handoffSeconds\":\(Int(filled.handoffSeconds)),\"events\":\(filled.size),\"seconds\":\(Int(Date().timeIntervalSince(start)))}")
