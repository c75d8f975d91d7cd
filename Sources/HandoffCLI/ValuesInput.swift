import HandoffDomain
import VaultCrypto

/// Reads and validates a values document named on the command line, in one place for every
/// command that takes `--values`.
enum ValuesInput {
    /// The validated values from `path` (or stdin for `-`); throws `CLIError.valuesInvalid`.
    static func read(_ path: String, rules: ValueRules) throws -> HandoffValues {
        var document = try InputFile.read(path, limit: HandoffValues.maximumDocumentSize)
        defer { SecretBytes.wipe(&document) }
        do {
            return try HandoffValues.validate(document: document, rules: rules)
        } catch {
            throw CLIError.valuesInvalid(error, source: sourceName(path))
        }
    }

    /// How messages name the input.
    static func sourceName(_ path: String) -> String {
        path == "-" ? "standard input" : path
    }
}
