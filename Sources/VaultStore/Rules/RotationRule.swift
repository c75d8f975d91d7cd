import Foundation
import HandoffDomain
import VaultCrypto

/// Master key rotation, the same on every backend: which rotations are allowed, and how one
/// record's data key or one server secret moves from the old master key to the new one (the
/// associated data, `AtRest` and `StoreFormat.secretContext`, is what both must agree on).
package enum RotationRule {
    /// Refuses a new key that does not come after the old one.
    package static func check(from old: MasterKey, to new: MasterKey) throws {
        guard new.version > old.version else { throw StoreError(.conflict, "the new master key must have a higher version") }
    }

    /// A record's data key re-wrapped from `old` to `new` (a record that does not open with
    /// `old` stops the whole rotation).
    package static func rewrapDataKey(_ wrapped: Data, table: String, recordId: String, keyVersion: Int, from old: MasterKey, to new: MasterKey) throws -> Data {
        let dataKey: SecretBytes
        do {
            dataKey = try AtRest.unwrap([UInt8](wrapped), table: table, recordId: recordId, keyVersion: keyVersion, master: old)
        } catch {
            throw StoreError(.keysUnavailable, "\(table) \(recordId) does not open with the current master key; nothing was rotated")
        }
        return Data(try AtRest.wrap(dataKey, table: table, recordId: recordId, master: new))
    }

    /// A server secret re-wrapped from `old` to `new`.
    package static func rewrapSecret(_ wrapped: Data, name: String, keyVersion: Int, from old: MasterKey, to new: MasterKey) throws -> Data {
        let opened: SecretBytes
        do {
            opened = try XChaCha20Poly1305.open([UInt8](wrapped), key: old.key, associatedData: StoreFormat.secretContext(name, keyVersion))
        } catch {
            throw StoreError(.keysUnavailable, "the server keys do not open with the current master key; nothing was rotated")
        }
        return Data(try XChaCha20Poly1305.seal(opened, key: new.key, associatedData: StoreFormat.secretContext(name, new.version)))
    }

    /// The context of the rotation's audit event.
    package static func context(now: Date) -> OperationContext {
        OperationContext(principal: nil, remote: "local", requestId: "rotate-master-key", now: now)
    }
}
