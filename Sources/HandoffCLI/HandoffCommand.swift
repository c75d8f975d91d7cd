import ArgumentParser

/// The `handoff` command tree.
public struct HandoffCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "handoff",
        abstract: "Hand Step 6 values to Altoura's package generator, sealed on your machine.",
        discussion: """
            Customer admins validate and submit values; the package generator pulls and opens them; \
            auditors verify the log. Exit codes follow sysexits: 0 ok, 64 usage, 65 invalid values, \
            69 server unreachable, 76 verification failure, 77 not allowed.
            """,
        version: HandoffVersion.current,
        subcommands: [ValidateCommand.self, PackageCommand.self]
    )

    public init() {}
}

/// A command whose failures go through `CLIError`, the one place that picks messages and exit
/// codes.
protocol HandoffSubcommand: ParsableCommand {
    /// Does the work; throws `CLIError` or a lower layer's error.
    func execute() throws
}

extension HandoffSubcommand {
    public func run() throws {
        do {
            try execute()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            let failure = CLIError.from(error)
            Console.error(failure.message)
            throw ExitCode(failure.exitStatus.rawValue)
        }
    }
}

/// The version both executables print.
public enum HandoffVersion {
    public static let current = "0.1.0"
}
