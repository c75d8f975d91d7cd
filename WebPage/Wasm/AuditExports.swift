import CSodium

// The auditor's page's WebAssembly entry points: `handoff audit verify` (`AuditVerifier`) and the
// RFC 9162 inclusion check (`MerkleTree.verifyInclusion`), the domain's own code. Nothing here is
// secret (events hold ids of tokens, never tokens), so the page keeps one instance.

/// `handoff audit verify` of an export's bytes under the server key (base64 text), with earlier
/// checkpoint notes (a JSON array of strings), witness verifier keys (a JSON array) and a quorum:
/// `{"ok":true,"treeSize","rootHash","origin","cosignedBy":[…],"consistentWith":[sizes]}` or
/// `{"ok":false,"index"?,"reason"}`.
@_cdecl("hv_verify_export")
public func hvVerifyExport(
    _ export: UnsafePointer<UInt8>?, _ exportLength: Int32,
    _ serverKey: UnsafePointer<UInt8>?, _ serverKeyLength: Int32,
    _ previous: UnsafePointer<UInt8>?, _ previousLength: Int32,
    _ witnesses: UnsafePointer<UInt8>?, _ witnessesLength: Int32,
    _ quorum: Int32
) -> UnsafeMutableRawPointer? {
    guard let keyBytes = try? Base64.decode(WebBoundary.text(serverKey, serverKeyLength)), let key = try? SigningPublicKey(bytes: keyBytes) else {
        return WebBoundary.answer(["ok": false, "reason": "the vault's public key must be base64 of a 32-byte Ed25519 key"])
    }
    let earlier = WebBoundary.strings(previous, previousLength)
    var keys: [WitnessKey] = []
    for text in WebBoundary.strings(witnesses, witnessesLength) {
        do throws(FormatError) {
            keys.append(try WitnessKey(verifierKey: text))
        } catch {
            return WebBoundary.answer(["ok": false, "reason": .string("a witness key: \(error.reason)")])
        }
    }
    do throws(AuditVerificationFailure) {
        let result = try AuditVerifier.verify(
            export: WebBoundary.bytes(export, exportLength), publicKey: key, previousCheckpoints: earlier, witnesses: keys, quorum: Int(quorum)
        )
        return WebBoundary.answer([
            "ok": true, "treeSize": .integer(result.checkpoint.size), "rootHash": .string(Base64.encode(result.checkpoint.rootHash)),
            "origin": .string(result.checkpoint.origin), "cosignedBy": .array(result.cosignedBy.map { JSONValue.string($0) }),
            "consistentWith": .array(result.consistentWith.map { JSONValue.integer($0.size) }),
        ])
    } catch {
        return WebBoundary.answer(["ok": false, "index": .integer(error.index), "reason": .string(error.reason)])
    }
}

/// Whether `event` (its canonical bytes) is leaf `index` of the tree of `size` whose root is
/// `root` (base64), by the proof (a JSON array of base64 hashes); `position` is "index size":
/// `{"ok":true}` or `{"ok":false,"reason"}`.
@_cdecl("hv_verify_inclusion")
public func hvVerifyInclusion(
    _ event: UnsafePointer<UInt8>?, _ eventLength: Int32,
    _ position: UnsafePointer<UInt8>?, _ positionLength: Int32,
    _ proof: UnsafePointer<UInt8>?, _ proofLength: Int32,
    _ root: UnsafePointer<UInt8>?, _ rootLength: Int32
) -> UnsafeMutableRawPointer? {
    let numbers = WebBoundary.text(position, positionLength).split(separator: " ").compactMap { Int64(String($0)) }
    var hashes: [[UInt8]] = []
    for text in WebBoundary.strings(proof, proofLength) {
        guard let hash = try? Base64.decode(text), hash.count == 32 else { return WebBoundary.answer(["ok": false, "reason": "the proof is not a list of hashes"]) }
        hashes.append(hash)
    }
    guard numbers.count == 2, let rootHash = try? Base64.decode(WebBoundary.text(root, rootLength)), rootHash.count == 32,
          let leaf = try? MerkleTree.leafHash(WebBoundary.bytes(event, eventLength))
    else { return WebBoundary.answer(["ok": false, "reason": "the request is malformed"]) }
    guard MerkleTree.verifyInclusion(leafHash: leaf, index: numbers[0], size: numbers[1], proof: hashes, root: rootHash) else {
        return WebBoundary.answer(["ok": false, "reason": "the proof does not lead to the verified root"])
    }
    return WebBoundary.answer(["ok": true])
}

/// "Your handoff's history, verified": the receipt (signed by the server key the invite pins) is
/// in the checkpoint's tree (signed by the same key) as the event given, by the proof given (a
/// JSON array of base64 hashes) — `ReceiptInLog`, as `handoff status` checks it:
/// `{"ok":true,"receivedAt","submissionId","auditIndex","treeSize"}` or `{"ok":false,"reason"}`.
@_cdecl("hv_receipt_in_log")
public func hvReceiptInLog(
    _ inviteText: UnsafePointer<UInt8>?, _ inviteLength: Int32,
    _ receiptNote: UnsafePointer<UInt8>?, _ receiptLength: Int32,
    _ checkpointNote: UnsafePointer<UInt8>?, _ checkpointLength: Int32,
    _ event: UnsafePointer<UInt8>?, _ eventLength: Int32,
    _ proof: UnsafePointer<UInt8>?, _ proofLength: Int32
) -> UnsafeMutableRawPointer? {
    do throws(FormatError) {
        let invite = try InviteCode(decoding: WebBoundary.text(inviteText, inviteLength))
        let receipt = try Receipt.verifySignature(WebBoundary.text(receiptNote, receiptLength), serverKey: invite.serverKey, handoffId: invite.handoffId)
        let checkpoint = try AuditCheckpoint.verify(WebBoundary.text(checkpointNote, checkpointLength), publicKey: invite.serverKey)
        var hashes: [[UInt8]] = []
        for text in WebBoundary.strings(proof, proofLength) {
            guard let hash = try? Base64.decode(text) else { throw FormatError(.receiptMismatch, "the proof is not a list of hashes") }
            hashes.append(hash)
        }
        try ReceiptInLog.verify(receipt, checkpoint: checkpoint, event: WebBoundary.bytes(event, eventLength), proof: hashes)
        return WebBoundary.answer([
            "ok": true, "receivedAt": .string(receipt.receivedAt), "submissionId": .string(receipt.submissionId),
            "auditIndex": .integer(receipt.auditIndex), "treeSize": .integer(checkpoint.size),
        ])
    } catch {
        return WebBoundary.failure(error)
    }
}

extension WebBoundary {
    /// The strings of a JSON array (anything else: none).
    static func strings(_ pointer: UnsafePointer<UInt8>?, _ length: Int32) -> [String] {
        guard let items = (try? JSONParser.parse(bytes(pointer, length)))?.arrayValue else { return [] }
        return items.compactMap { $0.stringValue }
    }
}
