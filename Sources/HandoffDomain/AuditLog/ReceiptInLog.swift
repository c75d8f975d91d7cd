import VaultCrypto

/// A receipt shown to be in the vault's signed log: its audit event is leaf `auditIndex` of the
/// tree a checkpoint signed, and records exactly this submission of this handoff. `handoff status`
/// and the customer's page ("your handoff's history, verified") check the same.
package enum ReceiptInLog {
    /// Checks `event` (the canonical bytes the vault gives for the receipt's index) and its
    /// inclusion `proof` against `checkpoint` (whose signature the caller verified).
    package static func verify(_ receipt: Receipt, checkpoint: AuditCheckpoint, event: [UInt8], proof: [[UInt8]]) throws(FormatError) {
        guard receipt.auditIndex < checkpoint.size else {
            throw FormatError(
                .receiptMismatch, "receipt \(receipt.submissionId) names audit index \(receipt.auditIndex), beyond the signed log of \(checkpoint.size)"
            )
        }
        let fields = (try? JSONParser.parse(event))?.objectValue
        guard let fields, fields["index"]?.integerValue == receipt.auditIndex, fields["action"]?.stringValue == "submission.received",
              fields["submissionId"]?.stringValue == receipt.submissionId, fields["handoffId"]?.stringValue == receipt.handoffId,
              let leaf = try? MerkleTree.leafHash(event),
              MerkleTree.verifyInclusion(leafHash: leaf, index: receipt.auditIndex, size: checkpoint.size, proof: proof, root: checkpoint.rootHash)
        else {
            throw FormatError(.receiptMismatch, "the audit log does not prove receipt \(receipt.submissionId)'s event at index \(receipt.auditIndex)")
        }
    }
}
