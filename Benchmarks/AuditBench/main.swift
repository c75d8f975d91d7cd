// The audit log benchmark (issue: verifiable audit log): append and checkpoint cost as the log
// grows from 10^3 to 10^6 events, and the export file for the verify timing that
// scripts/bench/audit.sh runs next to sha256sum. Prints one JSON object per measurement.
import Foundation
import HandoffDomain
import VaultCrypto
import VaultStore

let arguments = CommandLine.arguments
guard arguments.count == 3, let target = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: audit-bench DIR MAX_EVENTS (writes DIR/vault.sqlite and DIR/export.jsonl)\n".utf8))
    exit(64)
}
let directory = arguments[1]
let database = try VaultDatabase(path: "\(directory)/vault.sqlite")
let keys = try await database.initialize(master: try MasterKey.generate(), keyName: "handoff-vault/bench", adminToken: try BearerToken.generate(for: .admin), now: Date())
database.useKeys(keys, checkpointInterval: 1_000_000_000)
let context = OperationContext(principal: nil, remote: "127.0.0.1", requestId: "bench", now: Date(timeIntervalSince1970: 1_800_000_000))

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func report(_ fields: [String: JSONValue]) {
    FileHandle.standardOutput.write(Data((CanonicalJSON.string(.object(fields)) + "\n").utf8))
}

var size = Int(try await database.auditSize())
var milestone = 1_000
while milestone <= target {
    while size < milestone - 1_000 {
        let batch = min(20_000, milestone - 1_000 - size)
        try await database.appendAuditEvents(batch, action: .requestRefused, context: context)
        size += batch
    }
    // 1,000 appends in one transaction: the per-event cost of the event row and tree nodes.
    let batched = try await seconds { try await database.appendAuditEvents(1_000, action: .requestRefused, context: context) }
    size += 1_000
    // 20 appends, each its own durable transaction (synchronous=FULL): what a request pays.
    let single = try await seconds { for _ in 0..<20 { try await database.appendAuditEvents(1, action: .requestRefused, context: context) } }
    size += 20
    // 20 checkpoints, each for a new size (root from O(log n) stored nodes, Ed25519, insert).
    var checkpointTime = 0.0
    for _ in 0..<20 {
        try await database.appendAuditEvents(1, action: .requestRefused, context: context)
        size += 1
        checkpointTime += try await seconds { _ = try await database.currentCheckpoint(now: Date()) }
    }
    report([
        "events": .integer(Int64(size)),
        "appendBatchedMicroseconds": .integer(Int64(batched / 1_000 * 1e6)),
        "appendDurableMicroseconds": .integer(Int64(single / 20 * 1e6)),
        "checkpointMicroseconds": .integer(Int64(checkpointTime / 20 * 1e6)),
    ])
    milestone *= 10
}

// The export of the whole log, as `handoff audit export` writes it.
let exportTime = try await seconds {
    let checkpoint = try await database.currentCheckpoint(now: Date())
    _ = FileManager.default.createFile(atPath: "\(directory)/export.jsonl", contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(directory)/export.jsonl"))
    var next: Int64 = 0
    while next < checkpoint.checkpoint.size {
        let page = try await database.auditEvents(from: next, limit: 10_000)
        var chunk: [UInt8] = []
        for event in page { chunk += event.bytes; chunk.append(0x0A) }
        try handle.write(contentsOf: chunk)
        next = (page.last?.index ?? next) + 1
    }
    try handle.write(contentsOf: CanonicalJSON.encode(["checkpoint": .string(checkpoint.note)]) + [0x0A])
    try handle.close()
}
report(["exportEvents": .integer(Int64(size)), "exportSeconds": .string(String(format: "%.2f", exportTime)), "serverKey": .string(Base64.encode(keys.signing.publicKey.bytes))])

// Offline verification of that file: exactly what `handoff audit verify` runs (read the file,
// then AuditVerifier), timed in this release build.
var verifyResult = ""
let verifyTime = try await seconds {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(directory)/export.jsonl")))
    let verified = try AuditVerifier.verify(export: bytes, publicKey: keys.signing.publicKey)
    verifyResult = "\(verified.checkpoint.size) events"
}
report(["verifySeconds": .string(String(format: "%.2f", verifyTime)), "verified": .string(verifyResult)])

/// Peak resident memory of this process (VmHWM), in KiB.
func peakRSSKiB() -> Int64 {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return Int64(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
}
report(["peakRSSKiB": .integer(peakRSSKiB())])
