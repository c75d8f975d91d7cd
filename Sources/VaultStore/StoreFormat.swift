import Foundation
import VaultCrypto

/// What every backend stores in the same form, defined once: the names and associated data under
/// which the server's secrets are wrapped by the master key, the setting that holds the key name,
/// the shape of token ids, and how many receipts a handoff view carries. A backend that spelled
/// one of these differently would write data that the other cannot open, or that no longer opens
/// after a move between them; so no backend defines them, both read them here.
package enum StoreFormat {
    /// The server secrets, each wrapped by the master key.
    package static let signingSecretName = "signing-seed"
    package static let pepperSecretName = "token-pepper"
    /// The setting that holds the name of the server's signing key.
    package static let keyNameSetting = "key-name"

    /// How many receipts a handoff view carries: the latest ones, oldest of them first, so that a
    /// customer who re-submits in a loop cannot make every view of its handoff grow without end.
    package static let receiptsShown = 20

    /// The associated data binding a wrapped server secret to its name and master key version.
    package static func secretContext(_ name: String, _ version: Int) -> [UInt8] {
        Array("handoff-vault/v1|server-secret|\(name)|\(version)".utf8)
    }

    /// Handoffs purged per transaction. A batch's hold grows with its work: in a store of a
    /// million handoffs, beside a node writing 5,000 submissions/s on the same 2 cores, batches of
    /// 100 held PostgreSQL's writer 120–160 ms at the slowest (the shred statement preempted),
    /// batches of 200 twice what 100 held (BENCHMARKS.md "Performance round 2").
    package static let purgeBatch = 50

    /// A new token id (`tok_` and 16 hex digits).
    package static func newTokenId() throws -> String {
        "tok_" + Hex.encode(try RandomBytes.generate(count: 8))
    }
}
