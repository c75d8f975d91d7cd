import VaultCrypto

/// The generator's key file (`handoff keys generate`): JSON
/// `{"kind":"handoff-generator-key","v":1,"publicKey":…,"secretKey":…}`, mode 0600.
public enum GeneratorKeyFile {
    static let kind = "handoff-generator-key"

    /// The file's bytes for `keyPair`. They hold the secret key: write them to a 0600 file only.
    public static func encode(_ keyPair: SealingKeyPair) throws -> SecretBytes {
        var bytes = CanonicalJSON.encode([
            "kind": .string(kind), "v": 1,
            "publicKey": .string(Base64.encode(keyPair.publicKey.bytes)),
            "secretKey": .string(keyPair.secretKey.withUnsafeBytes { Base64.encode($0) }),
        ])
        bytes.append(0x0A)
        defer { SecretBytes.wipe(&bytes) }
        return try SecretBytes(copying: bytes)
    }

    /// Reads a key file, checking that the public key belongs to the secret key.
    public static func decode(_ bytes: [UInt8]) throws -> SealingKeyPair {
        let malformed = FormatError(.keyFileMalformed, "not a handoff generator key file (made by handoff keys generate)")
        guard let json = try? JSONParser.parse(bytes), let m = json.objectValue,
              Set(m.keys) == ["kind", "v", "publicKey", "secretKey"], m["kind"]?.stringValue == kind, m["v"] == 1,
              let publicText = m["publicKey"]?.stringValue, let secretText = m["secretKey"]?.stringValue,
              let secret = try? Base64.decodeSecret(secretText), let keyPair = try? SealingKeyPair(secretKey: secret),
              Base64.encode(keyPair.publicKey.bytes) == publicText
        else { throw malformed }
        return keyPair
    }
}
