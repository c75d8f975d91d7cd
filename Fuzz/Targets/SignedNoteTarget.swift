import VaultCrypto

/// The fuzzer's own signing key, fixed so that seeds signed by it verify.
private let noteKey: SigningKeyPair = {
    let seed = try! SecretBytes(copying: [UInt8](repeating: 0x5A, count: 32))
    return try! SigningKeyPair(seed: seed)
}()

/// Signed notes and checkpoints: an arbitrary note verifies only when a signature line matches
/// (and then the text is its prefix); any text the signer accepts verifies after signing and
/// comes back unchanged; checkpoint parsing refuses without crashing.
func fuzzSignedNote(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = FuzzInput.text(FuzzInput.bytes(data, size)) else { return 0 }
    if let verified = try? SignedNote.verify(text, publicKey: noteKey.publicKey) {
        guard text.hasPrefix(verified) else { propertyBroken("the verified text is not the note's prefix") }
    }
    _ = try? AuditCheckpoint.verify(text, publicKey: noteKey.publicKey)
    if let note = try? SignedNote.sign(text, keyName: "fuzz/note", with: noteKey) {
        guard (try? SignedNote.verify(note, publicKey: noteKey.publicKey, keyName: "fuzz/note")) == text else {
            propertyBroken("a signed note does not verify to its text")
        }
    }
    return 0
}
