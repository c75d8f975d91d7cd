import ArgumentParser

/// The options of the customer admin's commands (`validate`, `submit`, `status`): only what a
/// customer needs. The server comes from the invite and the credential is the invite itself;
/// `--server` and `--ca-file` still work (a test deployment, a private CA) but stay out of the
/// help, and no token option exists.
struct CustomerOptions: ParsableArguments, ServerConnection {
    @Option(help: ArgumentHelp("Another server than the invite's.", valueName: "url", visibility: .hidden))
    var server: String?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM file of a private CA to trust (env HANDOFF_CA_FILE).", valueName: "pem", visibility: .hidden))
    var caFile: String?

    @Flag(help: "Machine-readable JSON on standard output.")
    var json = false

    @Flag(help: "Also show each receipt's details.")
    var verbose = false

    init() {}
}
