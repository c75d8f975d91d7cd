import CSodium

/// libsodium's one-time initialisation.
///
/// `sodium_init` is itself thread-safe and idempotent, but calling it once through a lazily
/// initialised global (which Swift guarantees to run exactly once) keeps the check off hot paths.
enum Sodium {
    private static let initResult: Int32 = sodium_init()

    /// Initialises libsodium if needed; throws when the library cannot be used.
    static func ensureInitialized() throws(CryptoError) {
        // 0: initialised now; 1: already initialised; -1: failure.
        guard initResult >= 0 else {
            throw CryptoError(.initializationFailed, "libsodium could not be initialised")
        }
    }
}

/// The libsodium version the process is linked against, for diagnostics.
package var sodiumVersion: String {
    String(cString: sodium_version_string())
}
