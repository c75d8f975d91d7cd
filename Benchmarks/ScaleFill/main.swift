// The scale benchmark's filler (scripts/bench/scale.py): adds handoffs (with their invite tokens)
// and audit events to a stopped vault's SQLite store in large transactions, through the store's
// own code, so that the served store is what a vault of that size would hold.
import Foundation
import HandoffDomain
import VaultStore

let arguments = CommandLine.arguments
guard arguments.count == 5, let handoffs = Int(arguments[2]), let events = Int64(arguments[3]), let expiringEvery = Int(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: scale-fill DATABASE HANDOFFS EVENTS EXPIRING_EVERY\n".utf8))
    exit(64)
}
let database = try VaultDatabase(path: arguments[1])
let now = Date()
let context = OperationContext(principal: nil, remote: "127.0.0.1", requestId: "scale-fill", now: now)
let start = Date()
try await database.addLoadHandoffs(handoffs, expiringEvery: expiringEvery, now: now)
let handoffSeconds = Date().timeIntervalSince(start)
var size = try await database.auditSize()
while size < events {
    let batch = Int(min(50_000, events - size))
    try await database.appendAuditEvents(batch, action: .requestRefused, context: context)
    size += Int64(batch)
}
print("{\"handoffs\":\(handoffs),\"handoffSeconds\":\(Int(handoffSeconds)),\"events\":\(size),\"seconds\":\(Int(Date().timeIntervalSince(start)))}")
