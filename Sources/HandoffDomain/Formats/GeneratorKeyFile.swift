import VaultCrypto

/// The generator's key pairs: X25519 to open sealed boxes, and (from key file version 2) Ed25519
/// to sign the packages it delivers.
package struct GeneratorKeys: Sendable {
    package let sealing: SealingKeyPair
    /// Absent in version 1 files: those open boxes but cannot sign packages.
    package let signing: SigningKeyPair?

    package init(sealing: SealingKeyPair, signing: SigningKeyPair?) {
        self.sealing = sealing
        self.signing = signing
    }

    /// A fresh pair of each.
    package static func generate() throws -> GeneratorKeys {
        GeneratorKeys(sealing: try SealingKeyPair.generate(), signing: try SigningKeyPair.generate())
    }

    /// The public halves, as `generator.pub` carries them.
    package var publicKeys: GeneratorPublicKeys {
        GeneratorPublicKeys(sealing: sealing.publicKey, signing: signing?.publicKey)
    }
}

/// The generator's key file (`handoff keys generate`), mode 0600: JSON
/// `{"kind":"handoff-generator-key","v":2,"publicKey","secretKey","signingPublicKey","signingSecretKey"}`
/// (base64). Version 1 files (`v: 1`, no signing pair) still read.
package enum GeneratorKeyFile {
    static let kind = "handoff-generator-key"

    /// The file's bytes for `keys`. They hold the secret keys: write them to a 0600 file only.
    package static func encode(_ keys: GeneratorKeys) throws -> SecretBytes {
        var members: [String: JSONValue] = [
            "kind": .string(kind), "v": 1,
            "publicKey": .string(Base64.encode(keys.sealing.publicKey.bytes)),
            "secretKey": .string(keys.sealing.secretKey.withUnsafeBytes { Base64.encode($0) }),
        ]
        if let signing = keys.signing {
            members["v"] = 2
            members["signingPublicKey"] = .string(Base64.encode(signing.publicKey.bytes))
            members["signingSecretKey"] = .string(signing.seed.withUnsafeBytes { Base64.encode($0) })
        }
        var bytes = CanonicalJSON.encode(.object(members))
        bytes.append(0x0A)
        defer { SecretBytes.wipe(&bytes) }
        return try SecretBytes(copying: bytes)
    }

    /// Reads a key file, checking that each public key belongs to its secret key.
    package static func decode(_ bytes: [UInt8]) throws -> GeneratorKeys {
        let malformed = FormatError(.keyFileMalformed, "not a handoff generator key file (made by handoff keys generate)")
        guard let json = try? JSONParser.parse(bytes), let m = json.objectValue, m["kind"]?.stringValue == kind,
              let publicText = m["publicKey"]?.stringValue, let secretText = m["secretKey"]?.stringValue,
              let secret = try? Base64.decodeSecret(secretText), let sealing = try? SealingKeyPair(secretKey: secret),
              Base64.encode(sealing.publicKey.bytes) == publicText
        else { throw malformed }
        switch m["v"] {
        case 1:
            guard Set(m.keys) == ["kind", "v", "publicKey", "secretKey"] else { throw malformed }
            return GeneratorKeys(sealing: sealing, signing: nil)
        case 2:
            guard Set(m.keys) == ["kind", "v", "publicKey", "secretKey", "signingPublicKey", "signingSecretKey"],
                  let signingPublic = m["signingPublicKey"]?.stringValue, let seedText = m["signingSecretKey"]?.stringValue,
                  let seed = try? Base64.decodeSecret(seedText), let signing = try? SigningKeyPair(seed: seed),
                  Base64.encode(signing.publicKey.bytes) == signingPublic
            else { throw malformed }
            return GeneratorKeys(sealing: sealing, signing: signing)
        default:
            throw malformed
        }
    }
}

/// The generator's public keys as `generator.pub` holds them: JSON
/// `{"kind":"handoff-generator-public-key","v":2,"publicKey","signingPublicKey"}`; a bare base64
/// X25519 key (the version 1 file) reads as a sealing key without a signing key.
package struct GeneratorPublicKeys: Sendable, Equatable {
    static let kind = "handoff-generator-public-key"

    package let sealing: SealingPublicKey
    package let signing: SigningPublicKey?

    package init(sealing: SealingPublicKey, signing: SigningPublicKey?) {
        self.sealing = sealing
        self.signing = signing
    }

    /// The file's text.
    package func encoded() -> String {
        var members: [String: JSONValue] = ["kind": .string(Self.kind), "v": 1, "publicKey": .string(Base64.encode(sealing.bytes))]
        if let signing {
            members["v"] = 2
            members["signingPublicKey"] = .string(Base64.encode(signing.bytes))
        }
        return CanonicalJSON.string(.object(members)) + "\n"
    }

    /// Reads `generator.pub` (either form).
    package init(decoding text: String) throws {
        let malformed = FormatError(.keyFileMalformed, "not a generator public key (generator.pub from handoff keys generate, or base64 of a 32-byte X25519 key)")
        let trimmed = PastedCredential.cleaned(text)
        if let bytes = try? Base64.decode(trimmed), let key = try? SealingPublicKey(bytes: bytes) {
            self.init(sealing: key, signing: nil)
            return
        }
        guard let json = try? JSONParser.parse(Array(trimmed.utf8)), let m = json.objectValue, m["kind"]?.stringValue == Self.kind,
              let sealingBytes = m["publicKey"]?.stringValue.flatMap({ try? Base64.decode($0) }),
              let sealing = try? SealingPublicKey(bytes: sealingBytes)
        else { throw malformed }
        var signing: SigningPublicKey?
        switch m["v"] {
        case 1 where Set(m.keys) == ["kind", "v", "publicKey"]: break
        case 2 where Set(m.keys) == ["kind", "v", "publicKey", "signingPublicKey"]:
            guard let bytes = m["signingPublicKey"]?.stringValue.flatMap({ try? Base64.decode($0) }),
                  let key = try? SigningPublicKey(bytes: bytes)
            else { throw malformed }
            signing = key
        default: throw malformed
        }
        self.init(sealing: sealing, signing: signing)
    }
}
