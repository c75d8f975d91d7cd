import Foundation
import VaultCrypto

/// `POST /v1/handoffs/{id}/submissions` (201): where the sealed box was stored, and the server's
/// signed receipt note (`Receipt`), which the customer verifies against the invite's server key.
package struct SubmissionReceipt: WireModel, Equatable {
    package let handoffId: String
    package let submissionId: String
    package let receivedAt: Date
    /// The index of the `submission.received` audit event.
    package let auditIndex: Int64
    /// The signed receipt note.
    package let receipt: String

    package init(handoffId: String, submissionId: String, receivedAt: Date, auditIndex: Int64, receipt: String) {
        self.handoffId = handoffId
        self.submissionId = submissionId
        self.receivedAt = receivedAt
        self.auditIndex = auditIndex
        self.receipt = receipt
    }

    package var json: JSONValue {
        [
            "handoffId": .string(handoffId), "submissionId": .string(submissionId), "receivedAt": .timestamp(receivedAt),
            "auditIndex": .integer(auditIndex), "receipt": .string(receipt),
        ]
    }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "the receipt")
        self.init(
            handoffId: try object.uuid("handoffId"), submissionId: try object.uuid("submissionId"),
            receivedAt: try object.timestamp("receivedAt"), auditIndex: try object.integer("auditIndex"), receipt: try object.string("receipt")
        )
    }
}

/// `GET /v1/handoffs/{id}/submissions/latest`: the latest sealed box, for the generator only.
package struct ReleasedSubmission: WireModel, Equatable {
    package let submissionId: String
    /// The `crypto_box_seal` box, opened only by the generator's key.
    package let sealed: [UInt8]
    /// The id of the generator key it was sealed to.
    package let recipientKeyId: String
    package let receivedAt: Date

    package init(submissionId: String, sealed: [UInt8], recipientKeyId: String, receivedAt: Date) {
        self.submissionId = submissionId
        self.sealed = sealed
        self.recipientKeyId = recipientKeyId
        self.receivedAt = receivedAt
    }

    package var json: JSONValue {
        [
            "submissionId": .string(submissionId), "sealed": .string(Base64.encode(sealed)),
            "recipientKeyId": .string(recipientKeyId), "receivedAt": .timestamp(receivedAt),
        ]
    }

    package init(json: JSONValue) throws {
        let object = try WireObject(json, "the submission")
        self.init(
            submissionId: try object.uuid("submissionId"), sealed: try object.base64("sealed"),
            recipientKeyId: try object.string("recipientKeyId"), receivedAt: try object.timestamp("receivedAt")
        )
    }
}
