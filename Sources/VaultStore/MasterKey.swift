import Foundation
import VaultCrypto

/// The key that wraps every data key and the server's own keys. It never enters the database.
package struct MasterKey: Sendable {
    /// Which generation of master key this is; stored beside every record it wraps.
    package let version: Int
    package let key: SecretBytes

    /// Wraps 32 secret bytes as master key `version`.
    package init(version: Int = 1, key: SecretBytes) throws {
        guard key.count == XChaCha20Poly1305.keyByteCount else {
            throw StoreError(.keysUnavailable, "a master key is \(XChaCha20Poly1305.keyByteCount) bytes")
        }
        self.version = version
        self.key = key
    }

    /// A fresh random master key.
    package static func generate() throws -> MasterKey {
        try MasterKey(key: try SecretBytes.random(count: XChaCha20Poly1305.keyByteCount))
    }

    /// The key file's text: `v<version>:` and base64 of the key, and a newline. (A bare base64
    /// key, as version 1 files were written, reads as version 1.)
    package func fileText() -> String {
        "v\(version):" + key.withUnsafeBytes { Base64.encode($0) } + "\n"
    }

    /// Reads a key from its text form (the key file or `HANDOFF_MASTER_KEY`).
    package init(text: String) throws {
        var trimmed = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        var version = 1
        if trimmed.hasPrefix("v"), let colon = trimmed.firstIndex(of: ":") {
            guard let parsed = Int(trimmed[trimmed.index(after: trimmed.startIndex)..<colon]), parsed >= 1 else {
                throw StoreError(.keysUnavailable, "the master key's version is not a positive number")
            }
            version = parsed
            trimmed = trimmed[trimmed.index(after: colon)...]
        }
        guard let key = try? Base64.decodeSecret(String(trimmed)) else {
            throw StoreError(.keysUnavailable, "the master key is not base64 of 32 bytes")
        }
        try self.init(version: version, key: key)
    }

    /// The next generation: a fresh random key with the next version.
    package func successor() throws -> MasterKey {
        try MasterKey(version: version + 1, key: try SecretBytes.random(count: XChaCha20Poly1305.keyByteCount))
    }
}

/// Encryption at rest (DESIGN.md): each record under its own random data key, the data key
/// wrapped by the master key; associated data binds table, record, handoff and key version, so a
/// ciphertext copied to another row or another handoff does not open.
package enum AtRest {
    package static func recordContext(table: String, recordId: String, handoffId: String, keyVersion: Int) -> [UInt8] {
        Array("handoff-vault/v1|record|\(table)|\(recordId)|\(handoffId)|\(keyVersion)".utf8)
    }

    package static func wrapContext(table: String, recordId: String, keyVersion: Int) -> [UInt8] {
        Array("handoff-vault/v1|data-key|\(table)|\(recordId)|\(keyVersion)".utf8)
    }

    /// Encrypts `bytes` for one record; returns (ciphertext, wrapped data key).
    package static func seal(_ bytes: [UInt8], table: String, recordId: String, handoffId: String, master: MasterKey) throws -> ([UInt8], [UInt8]) {
        let dataKey = try SecretBytes.random(count: XChaCha20Poly1305.keyByteCount)
        let ciphertext = try XChaCha20Poly1305.seal(
            bytes, key: dataKey,
            associatedData: recordContext(table: table, recordId: recordId, handoffId: handoffId, keyVersion: master.version)
        )
        return (ciphertext, try wrap(dataKey, table: table, recordId: recordId, master: master))
    }

    /// Decrypts one record's bytes.
    package static func open(
        _ ciphertext: [UInt8], wrappedKey: [UInt8], table: String, recordId: String, handoffId: String,
        recordKeyVersion: Int, keyVersion: Int, master: MasterKey
    ) throws -> SecretBytes {
        let dataKey = try unwrap(wrappedKey, table: table, recordId: recordId, keyVersion: keyVersion, master: master)
        return try XChaCha20Poly1305.open(
            ciphertext, key: dataKey,
            associatedData: recordContext(table: table, recordId: recordId, handoffId: handoffId, keyVersion: recordKeyVersion)
        )
    }

    /// Opens a wrapped data key.
    package static func unwrap(_ wrappedKey: [UInt8], table: String, recordId: String, keyVersion: Int, master: MasterKey) throws -> SecretBytes {
        guard keyVersion == master.version else {
            throw StoreError(.keysUnavailable, "record is wrapped under master key version \(keyVersion), not \(master.version)")
        }
        return try XChaCha20Poly1305.open(
            wrappedKey, key: master.key,
            associatedData: wrapContext(table: table, recordId: recordId, keyVersion: keyVersion)
        )
    }

    /// Wraps a data key under `master`.
    package static func wrap(_ dataKey: SecretBytes, table: String, recordId: String, master: MasterKey) throws -> [UInt8] {
        try XChaCha20Poly1305.seal(dataKey, key: master.key, associatedData: wrapContext(table: table, recordId: recordId, keyVersion: master.version))
    }
}
