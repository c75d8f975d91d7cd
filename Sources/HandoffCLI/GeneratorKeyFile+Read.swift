import HandoffDomain
import VaultCrypto

extension GeneratorKeyFile {
    /// The key file at `path`, its bytes wiped once read.
    static func read(_ path: String) throws -> GeneratorKeys {
        var bytes = try InputFile.read(path, limit: 4096)
        defer { SecretBytes.wipe(&bytes) }
        do {
            return try decode(bytes)
        } catch {
            throw CLIError.usage("\(path) is not a generator key file (handoff keys generate)")
        }
    }
}
