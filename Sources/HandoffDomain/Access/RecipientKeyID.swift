import VaultCrypto

extension SealingPublicKey {
    /// The id both sides give a generator key: `rk_` and the first 8 bytes of its SHA-256, hex.
    /// The CLI sends it with a submission; the server checks it is the handoff's pinned key.
    package var keyId: String {
        let digest = (try? SHA256.hash(bytes)) ?? []
        return "rk_" + Hex.encode(digest.prefix(8))
    }
}
