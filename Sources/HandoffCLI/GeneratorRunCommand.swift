import ArgumentParser
import Foundation
import HandoffDomain
import VaultClient
import VaultCrypto

/// `handoff generator`: Altoura's side as a service.
struct GeneratorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generator", abstract: "Run Altoura's package generator as a service.", subcommands: [GeneratorRunCommand.self]
    )
}

/// `handoff generator run`: pull, build, acknowledge and deliver every submitted handoff, as it
/// arrives, until SIGTERM.
struct GeneratorRunCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Pull, build, acknowledge and deliver every submitted handoff as it arrives (Steps 8–9), until stopped.",
        discussion: """
            Waits on the vault's event stream (and looks every --poll-interval seconds anyway, every \
            5 s while the stream is down). For each handoff waiting for the generator: fetches and \
            opens its latest submission as handoff pull does (binding, values, and the tenant proof \
            when --require-tenant-proof), writes DIR/<handoffId>.json (0600), builds the Teams app \
            package (built in, or --build-command), acknowledges, and delivers it signed (package v2). \
            A Step 10 Object ID is merged into the values and acknowledged.

            Progress is kept in DIR/agent-state.json after every step: after a crash or kill -9 it \
            resumes without delivering twice or skipping a handoff. A failing handoff is retried with \
            backoff (2 s doubling to 10 min, with jitter) and never holds up the others. SIGTERM or \
            SIGINT finishes the step in hand, then exits 0. One status line per step on standard \
            output (--json: one JSON object per line).

            --build-command CMD is run as /bin/sh -c 'CMD "$1"' with the values file's path as $1 and \
            HANDOFF_HANDOFF_ID set (no HANDOFF_* credential is passed on); the last line it prints \
            is the zip's path. The zip is checked against the values before it is signed.

            Example:
              HANDOFF_TOKEN=… handoff generator run --server https://vault.example --key ~/.handoff/generator.key --out /var/lib/handoff-generator
            """
    )

    @Option(help: ArgumentHelp("The generator key file (version 2); repeat it during a key rotation (the first signs packages).", valueName: "file"))
    var key: [String]

    @Option(help: ArgumentHelp("The agent's folder: values, packages and agent-state.json.", valueName: "dir"))
    var out: String

    @Option(name: .customLong("build-command"), help: ArgumentHelp("Build packages with this command instead of the built-in builder.", valueName: "cmd"))
    var buildCommand: String?

    @Option(name: .customLong("poll-interval"), help: ArgumentHelp("Seconds between looks at the vault when no event came.", valueName: "seconds"))
    var pollInterval = 30

    @Flag(help: "One round over what waits now, then exit (76 when a handoff failed).")
    var once = false

    @OptionGroup var tenantProof: TenantProofOptions

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard !key.isEmpty else { throw ValidationError("give the generator key file with --key") }
        guard (1...3_600).contains(pollInterval) else { throw ValidationError("--poll-interval must be from 1 to 3600 seconds") }
    }

    func execute() async throws {
        let keys = try GeneratorKeyFile.read(key[0])
        guard let signing = keys.signing else {
            throw CLIError.usage("\(key[0]) has no package signing key (a version 1 key file); make new keys with handoff keys generate and register generator.pub")
        }
        try OutputFile.makePrivateDirectory(out)
        let puller = try HandoffPuller(out: out, keyFiles: key, tenantProof: tenantProof, caFile: global.caFile)
        let wakeup = Wakeup()
        let stop = StopRequest(wakeup: wakeup)
        try await global.withAPIClient { client in
            let agent = try GeneratorAgent(
                client: client, puller: puller, builder: buildCommand.map(PackageBuilder.command) ?? .builtIn, keys: keys, signing: signing,
                log: AgentLog(json: global.json), stop: stop, wakeup: wakeup, pollInterval: .seconds(pollInterval)
            )
            let failures = try await agent.run(once: once)
            if once, failures > 0 {
                throw CLIError.verification("\(failures) handoff(s) could not be taken through (their status lines say why; agent-state.json keeps them for the next run)")
            }
        }
    }
}
