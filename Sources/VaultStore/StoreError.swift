import VaultCrypto

/// Why a store operation did not happen. Nothing was written when one is thrown: every
/// operation is a single transaction.
package struct StoreError: CodedError {
    /// Stable codes, part of the contract; the server maps each to one HTTP status.
    package enum Code: String, Sendable {
        /// No such handoff, token or submission (or not visible to the caller).
        case notFound = "store.not_found"
        /// What was asked for does not exist yet but will (the package before its delivery).
        case notReady = "store.not_ready"
        /// The handoff's state does not allow the operation (revoked, expired, nothing submitted…).
        case conflict = "store.conflict"
        /// No generator key is registered yet, so no invite can pin one.
        case noRecipientKey = "store.no_recipient_key"
        /// The sealed box was addressed to a recipient key that is not the handoff's.
        case recipientMismatch = "store.recipient_mismatch"
        /// The data directory is already initialised.
        case alreadyInitialized = "store.already_initialized"
        /// The database is not initialised, or its keys do not open with this master key.
        case keysUnavailable = "store.keys_unavailable"
        /// A stored record failed its integrity check (changed or moved in the file).
        case recordCorrupt = "store.record_corrupt"
        /// A signature did not verify with the key it must be made by.
        case signatureInvalid = "store.signature_invalid"
        /// A per-handoff limit was reached (stored submissions).
        case limitReached = "store.limit_reached"
        /// SQLite failed (disk full, I/O error, a failing audit insert): the action was rolled back.
        case storageFailure = "store.storage_failure"
    }

    /// The stable code.
    package let code: Code
    /// What is wrong, for people. Never holds secrets or values.
    package let reason: String

    /// Creates an error.
    package init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}
