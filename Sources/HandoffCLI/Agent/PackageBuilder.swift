import Foundation
import HandoffDomain
import TeamsPackage

/// How `handoff generator run` turns a handoff's pulled values into a Teams app package: the
/// built-in builder (`handoff package build`'s), or the operator's own command.
enum PackageBuilder {
    case builtIn
    /// Run as `/bin/sh -c 'CMD "$1"' handoff-build <values file>`, with `HANDOFF_HANDOFF_ID` set
    /// and no vault credential in its environment; the last line it prints is the zip's path.
    case command(String)

    /// The longest a build command may run.
    static let commandTimeout: TimeInterval = 300

    /// The zip for the values in `valuesFile` (already opened and checked by the puller).
    func build(valuesFile: String, handoffId: String) async throws -> [UInt8] {
        switch self {
        case .builtIn:
            let values = try ValuesInput.read(valuesFile, rules: .standard)
            return [UInt8](try TeamsAppPackage.build(values: values, options: PackageOptions()).zip)
        case .command(let command):
            let zipPath = try await run(command, valuesFile: valuesFile, handoffId: handoffId)
            return try InputFile.read(zipPath, limit: 1024 * 1024)
        }
    }

    private func run(_ command: String, valuesFile: String, handoffId: String) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command + " \"$1\"", "handoff-build", valuesFile]
        var environment = ProcessInfo.processInfo.environment
        for name in environment.keys where name.hasPrefix("HANDOFF_") { environment[name] = nil }
        environment["HANDOFF_HANDOFF_ID"] = handoffId
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        let exited = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { exited.continuation.yield($0.terminationStatus); exited.continuation.finish() }
        do {
            try process.run()
        } catch {
            throw CLIError.usage("the build command could not be started (/bin/sh is missing)")
        }
        let reader = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        let timeout = Task {
            try await Task.sleep(for: .seconds(Self.commandTimeout))
            process.terminate()
        }
        var status: Int32 = -1
        for await code in exited.stream { status = code }
        timeout.cancel()
        let printed = String(decoding: await reader.value, as: UTF8.self)
        guard status == 0 else {
            throw CLIError.dataInvalid("the build command failed (exit status \(status)); nothing was delivered")
        }
        guard let zipPath = printed.split(whereSeparator: \.isNewline).last.map(String.init), !zipPath.isEmpty else {
            throw CLIError.dataInvalid("the build command printed no zip path; nothing was delivered")
        }
        return zipPath
    }
}
