import ArgumentParser
import Dispatch
import HandoffDomain

/// The `handoff` command tree.
@available(macOS 10.15, *)
package struct HandoffCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "handoff",
        abstract: "Hand Step 6 values to Altoura's package generator, sealed on your machine.",
        discussion: """
            Customer admins validate and submit values; the package generator pulls and opens them; \
            auditors verify the log. Exit codes follow sysexits: 0 ok, 64 usage, 65 invalid values, \
            69 server unreachable, 76 verification failure, 77 not allowed.
            """,
        version: HandoffVaultVersion.current,
        subcommands: [
            ValidateCommand.self, SubmitCommand.self, SignInCommand.self, CheckSetupCommand.self, StatusCommand.self, KeysCommand.self, PullCommand.self,
            AckCommand.self, PackageCommand.self, GeneratorCommand.self, AuditCommand.self, AdminCommand.self,
        ]
    )

    package init() {}

    /// Parses the process's arguments and runs the chosen command, exiting with its status.
    /// Parsing, what ends there (`--version`, `--help`, a usage error) and an `OfflineSubcommand`
    /// run before Swift's async runtime starts: its main loop (`dispatchMain`) starts worker
    /// threads and ends the main thread, which makes glibc load `libgcc_s` to unwind it — a tenth
    /// of `handoff --version`'s start-up. Any other command runs as under an async `main`: in a
    /// task on the global executor.
    /// (ArgumentParser's own `main()` picks its synchronous path on Linux for a library type.)
    package static func runAsMain() -> Never {
        if let word = CommandLine.arguments.dropFirst().first, let message = unknownCommand(word) {
            Console.error(message)
            Self.exit(withError: ExitCode(ExitStatus.usage.rawValue))
        }
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        if let offline = command as? any OfflineSubcommand {
            do {
                try offline.runNow()
                exit()
            } catch {
                exit(withError: error)
            }
        }
        // Handed to the one task that runs it.
        nonisolated(unsafe) var parsed = command
        Task {
            do {
                if var asyncCommand = parsed as? any AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try parsed.run()
                }
            } catch {
                exit(withError: error)
            }
            exit()
        }
        dispatchMain()
    }
}

extension HandoffCommand {
    /// The message for a first word that is no command (`handoff sumbit`), with the command meant;
    /// nil when the word is a command or an option.
    static func unknownCommand(_ word: String) -> String? {
        guard !word.hasPrefix("-") else { return nil }
        let names = configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        guard !names.contains(word) else { return nil }
        let closest = names.map { ($0, EditDistance.between($0, word.lowercased())) }.min { $0.1 < $1.1 }
        let suggestion = closest.flatMap { $0.1 <= 2 ? " — did you mean '\($0.0)'?" : nil } ?? ""
        return "handoff: '\(word)' is not a command\(suggestion) (handoff --help lists them)"
    }
}

/// A command whose failures go through `CLIError`, the one place that picks messages and exit
/// codes.
protocol HandoffSubcommand: AsyncParsableCommand {
    /// Does the work; throws `CLIError` or a lower layer's error.
    func execute() async throws
}

extension HandoffSubcommand {
    package func run() async throws {
        do {
            try await execute()
        } catch {
            throw Self.reported(error)
        }
    }

    /// `error` as the process ends with it: an exit code passes; any other is reported through
    /// `CLIError` and becomes its exit code.
    static func reported(_ error: any Error) -> any Error {
        if error is ExitCode { return error }
        let failure = CLIError.from(error)
        Console.error(failure.message)
        return ExitCode(failure.exitStatus.rawValue)
    }
}

/// A command that never waits on anything (`handoff validate`): `runAsMain` runs it on the main
/// thread without starting the async runtime, which is most of what such a command costs.
protocol OfflineSubcommand: HandoffSubcommand {
    /// Does the work; throws `CLIError` or a lower layer's error.
    func executeNow() throws
}

extension OfflineSubcommand {
    func execute() async throws { try executeNow() }

    /// Runs the command as `run()` would, synchronously.
    func runNow() throws {
        do {
            try executeNow()
        } catch {
            throw Self.reported(error)
        }
    }
}

