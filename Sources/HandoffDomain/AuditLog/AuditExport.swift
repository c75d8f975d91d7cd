import VaultCrypto

/// The audit export (DESIGN.md): JSON lines, each event's canonical bytes exactly as hashed in
/// index order, then `{"checkpoint":"<signed note>"}` for a tree covering every exported event.
package enum AuditExport {
    /// The export's bytes.
    package static func render(events: [[UInt8]], checkpointNote: String) -> [UInt8] {
        var output: [UInt8] = []
        for event in events {
            output += event
            output.append(0x0A)
        }
        output += CanonicalJSON.encode(["checkpoint": .string(checkpointNote)])
        output.append(0x0A)
        return output
    }

    /// The checkpoint note on an export's last line, or nil if `bytes` is not an export.
    package static func checkpointNote(inExport bytes: [UInt8]) -> String? {
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: true)
        guard let last = lines.last, let object = try? JSONParser.parse(Array(last)).objectValue,
              object.count == 1, let note = object["checkpoint"]?.stringValue
        else { return nil }
        return note
    }
}

/// Why an export did not verify: the first failing event index (when one can be named) and why.
package struct AuditVerificationFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The first event index that fails, or the lowest index of the range a change lies in.
    package let index: Int64
    package let reason: String

    package var description: String { "index \(index): \(reason)" }
}

/// What a verified export proves.
package struct AuditVerification: Sendable, Equatable {
    package let checkpoint: AuditCheckpoint
    /// Earlier checkpoints that the export's history extends.
    package let consistentWith: [AuditCheckpoint]
    /// The witnesses whose valid cosignature the export's checkpoint carries (of those given).
    package var cosignedBy: [String] = []
}

/// Verifies an export offline with nothing but the server's public key: every line canonical and
/// in index order, every leaf and the root recomputed, the checkpoint's signature checked, and
/// each earlier checkpoint the auditor kept shown to be a prefix of this log.
package enum AuditVerifier {
    package static func verify(
        export bytes: [UInt8], publicKey: SigningPublicKey, previousCheckpoints: [String] = [], witnesses: [WitnessKey] = [], quorum: Int = 0
    ) throws(AuditVerificationFailure) -> AuditVerification {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let last = lines.popLast(), let note = AuditExport.checkpointNote(inExport: Array(last)) else {
            throw AuditVerificationFailure(index: 0, reason: "the last line is not {\"checkpoint\": …}; this is not an audit export")
        }
        let checkpoint: AuditCheckpoint
        do {
            checkpoint = try AuditCheckpoint.verify(note, publicKey: publicKey)
        } catch {
            throw AuditVerificationFailure(index: Int64(lines.count), reason: "the export's checkpoint is not signed by this key")
        }
        var earlier: [AuditCheckpoint] = []
        for (position, text) in previousCheckpoints.enumerated() {
            do {
                earlier.append(try AuditCheckpoint.verify(text, publicKey: publicKey))
            } catch {
                throw AuditVerificationFailure(index: 0, reason: "earlier checkpoint \(position + 1) is not signed by this key")
            }
        }
        earlier.sort { $0.size < $1.size }
        // Two signed checkpoints of one size with different roots: the vault showed two histories.
        for other in earlier + [checkpoint] {
            if let first = (earlier + [checkpoint]).first(where: { $0.size == other.size && $0.rootHash != other.rootHash }) {
                throw AuditVerificationFailure(
                    index: other.size,
                    reason: "fork: two checkpoints of \(other.size) events, both signed by this key, with different roots: "
                        + "\(Base64.encode(first.rootHash)) and \(Base64.encode(other.rootHash)); the vault showed two different histories"
                )
            }
        }
        let cosigned = Cosignature.valid(in: SignedNote.split(note)?.signatures ?? "", checkpointText: checkpoint.text, witnesses: witnesses)
        guard cosigned.count >= quorum else {
            let names = cosigned.map { $0.witness }.joined(separator: ", ")
            throw AuditVerificationFailure(
                index: checkpoint.size,
                reason: "the checkpoint carries \(cosigned.count) valid cosignature(s) of the witnesses given\(names.isEmpty ? "" : " (\(names))"), fewer than the quorum of \(quorum)"
            )
        }
        if let larger = earlier.last, larger.size > checkpoint.size {
            throw AuditVerificationFailure(index: checkpoint.size, reason: "the log shrank: a checkpoint for \(larger.size) events was signed earlier, this one has \(checkpoint.size)")
        }

        var accumulator = MerkleRootAccumulator()
        var verifiedPrefix: Int64 = 0
        var pending = earlier[...]
        for (offset, line) in lines.enumerated() {
            let index = Int64(offset)
            let event = Array(line)
            guard let json = try? JSONParser.parse(event), CanonicalJSON.encode(json) == event else {
                throw AuditVerificationFailure(index: index, reason: "the line is not canonical JSON")
            }
            guard let claimed = json.objectValue?["index"]?.integerValue else {
                throw AuditVerificationFailure(index: index, reason: "the event has no index")
            }
            guard claimed == index else {
                throw AuditVerificationFailure(index: index, reason: "the event says index \(claimed) at position \(index): an event was deleted, inserted or moved")
            }
            guard index < checkpoint.size else {
                throw AuditVerificationFailure(index: index, reason: "the export holds more events than its checkpoint covers (\(checkpoint.size))")
            }
            guard let leaf = try? MerkleTree.leafHash(event), (try? accumulator.append(leafHash: leaf)) != nil else {
                throw AuditVerificationFailure(index: index, reason: "hashing failed")
            }
            while let next = pending.first, next.size == accumulator.size {
                pending = pending.dropFirst()
                guard let root = try? accumulator.root(), root == next.rootHash else {
                    let root = (try? accumulator.root()).map { Base64.encode($0) } ?? "?"
                    throw AuditVerificationFailure(
                        index: verifiedPrefix,
                        reason: "fork: events \(verifiedPrefix)…\(next.size - 1) differ from what the earlier checkpoint of \(next.size) events signed "
                            + "(root \(Base64.encode(next.rootHash)); this log's first \(next.size) events hash to \(root)): history was rewritten in that range"
                    )
                }
                verifiedPrefix = next.size
            }
        }
        guard accumulator.size == checkpoint.size else {
            throw AuditVerificationFailure(index: accumulator.size, reason: "the checkpoint covers \(checkpoint.size) events but the export holds \(accumulator.size)")
        }
        guard (try? accumulator.root()) == checkpoint.rootHash else {
            throw AuditVerificationFailure(index: verifiedPrefix, reason: "events \(verifiedPrefix)…\(checkpoint.size - 1) do not hash to the signed root: one of them was changed")
        }
        return AuditVerification(checkpoint: checkpoint, consistentWith: earlier, cosignedBy: cosigned.map { $0.witness })
    }
}
