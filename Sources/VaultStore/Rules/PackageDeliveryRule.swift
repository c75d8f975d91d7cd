import Foundation
import HandoffDomain
import VaultCrypto

/// What a store checks before it keeps a delivered package, the same on every backend (which
/// only fetch the rows it reads): the generator's v2 signature on exactly these bytes for this
/// handoff, a submission of this handoff named as the package's source, and a sequence above the
/// delivery it replaces — so neither a stranger nor an older signed package can take its place.
package enum PackageDeliveryRule {
    /// The generator signing key the handoff's invite pins, from its recipient key row's
    /// `signingPublicKey` (nil: no row or registered without one).
    package static func signingKey(_ bytes: Data?) throws -> SigningPublicKey {
        guard let bytes, let key = try? SigningPublicKey(bytes: [UInt8](bytes)) else {
            throw StoreError(.conflict, "this handoff's generator key was registered without a signing key; register generator.pub from handoff keys generate and send a new invite")
        }
        return key
    }

    /// The signature's statement once it verifies with the handoff's generator signing key.
    package static func verified(signature: String, zip: [UInt8], handoffId: String, signingKey: SigningPublicKey) throws -> PackageSignature {
        do {
            return try PackageSignature.verify(signature, zip: zip, handoffId: handoffId, signingKey: signingKey)
        } catch {
            throw StoreError(.signatureInvalid, "the signature is not a v2 package signature by this handoff's generator signing key for these bytes: \(error.reason)")
        }
    }

    /// Refuses a statement that names no submission of the handoff, or that does not come after
    /// `previous` (the note of the delivery it would replace).
    package static func check(_ statement: PackageSignature, submissionExists: Bool, previous: String?, signingKey: SigningPublicKey) throws {
        guard submissionExists else {
            throw StoreError(.signatureInvalid, "the package is signed as built from submission \(statement.submissionId), which this handoff does not have")
        }
        do {
            try statement.checkFollows(previous: previous, signingKey: signingKey)
        } catch {
            throw StoreError(.conflict, error.reason)
        }
    }
}
