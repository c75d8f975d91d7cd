import VaultCrypto

extension SealingPublicKey {
    /// The id both sides give a generator key: `rk_` and the first 8 bytes of its SHA-256, hex.
    /// The CLI sends it with a submission; the server checks it is the handoff's pinned key.
    public var keyId: String {
        let digest = (try? SHA256.hash(bytes)) ?? []
        return "rk_" + digest.prefix(8).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
