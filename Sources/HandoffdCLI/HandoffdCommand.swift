import ArgumentParser
import Foundation
import HandoffDomain

/// The `handoffd` command tree: `init` prepares a data directory, `serve` runs the API.
@available(macOS 10.15, *)
package struct HandoffdCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "handoffd",
        abstract: "The Handoff Vault server: stores sealed values it cannot read, for the package generator.",
        version: HandoffVaultVersion.current,
        subcommands: [
            InitCommand.self, ServeCommand.self, ConfigCommand.self, PurgeCommand.self, BackupCommand.self, RestoreCommand.self, RotateMasterKeyCommand.self,
            WebBundleCommand.self,
        ]
    )

    package init() {}

    /// Parses the process's arguments and runs the chosen command, exiting with its status.
    /// (ArgumentParser's own `main()` picks its synchronous path on Linux for a library type.)
    package static func runAsMain() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}


/// Writes whole lines to stdout / stderr.
enum Output {
    static func line(_ text: String, terminator: String = "\n") {
        FileHandle.standardOutput.write(Data((text + terminator).utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("handoffd: " + text + "\n").utf8))
    }
}
