import ArgumentParser

/// The options every `handoff` command accepts (DESIGN.md, CLI contract). Secrets are never
/// options: tokens come from `--token-file` or `HANDOFF_TOKEN`.
package struct GlobalOptions: ParsableArguments, Sendable {
    @Option(help: ArgumentHelp("Server URL (env HANDOFF_SERVER).", valueName: "url"))
    package var server: String?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM file of a private CA to trust (env HANDOFF_CA_FILE).", valueName: "pem"))
    package var caFile: String?

    @Option(name: .customLong("token-file"), help: ArgumentHelp("File holding the API token (or env HANDOFF_TOKEN).", valueName: "file"))
    package var tokenFile: String?

    @Flag(help: "Machine-readable JSON on standard output.")
    package var json = false

    package init() {}
}
