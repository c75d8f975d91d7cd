import Foundation
import VaultCrypto

/// Ids of sealed records (submissions and packages): RFC 9562 version 7 UUIDs, lowercase.
///
/// The first 48 bits are the Unix time in milliseconds, the other 74 (beside version and variant)
/// come from libsodium's CSPRNG. Ids made later sort after earlier ones, so each new record's id
/// lands at the right edge of its primary-key index on both backends, instead of on a random page
/// of it (with version 4 ids, a group commit of 80 submissions rewrote about 70 index pages).
/// The time they carry is the record's `receivedAt`, which its receipt states anyway; they stay
/// unguessable, and nothing grants access by id alone.
package enum RecordId {
    /// A new id for a record made at `now`.
    package static func make(now: Date) throws -> String {
        let milliseconds = UInt64(max(0, (now.timeIntervalSince1970 * 1000).rounded(.down)))
        var bytes = try RandomBytes.generate(count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index)))
        }
        bytes[6] = 0x70 | (bytes[6] & 0x0f)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3f)  // variant 10
        let uuid = UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
        return uuid.uuidString.lowercased()
    }
}
