import Foundation

/// Where the repository, `../shared/` and the built products are, seen from a test.
public enum TestPaths {
    /// The package root (the folder holding Package.swift).
    public static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/` beside the checkout, as CI lays it out.
    public static let shared: URL = repository.deletingLastPathComponent().appendingPathComponent("shared")

    /// The values fixtures.
    public static let valuesFixtures: URL = shared.appendingPathComponent("fixtures/values")

    /// The committed test vectors.
    public static let vectors: URL = repository.appendingPathComponent("Tests/Vectors")

    /// The folder of the running test bundle, where SwiftPM also puts the executables.
    public static let products: URL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()

    /// A built executable, such as `handoff`.
    public static func product(_ name: String) -> URL { products.appendingPathComponent(name) }

    /// Every fixture file name except `expected.json`, sorted.
    public static func valueFixtureNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: valuesFixtures.path)) ?? []
        return names.filter { $0.hasSuffix(".json") && $0 != "expected.json" }.sorted()
    }

    /// A fresh private temporary folder.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return url
    }
}

/// What a finished child process printed and how it ended.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let standardOutput: String
    public let standardError: String
}

/// Runs real executables the way a user would.
public enum ProcessRunner {
    /// Runs `executable` with `arguments`, feeding `input` on stdin, and waits for it without
    /// blocking a Swift concurrency thread: the pipes are drained and the exit awaited on
    /// Dispatch's threads, and the result comes back through a continuation.
    public static func run(
        _ executable: URL,
        _ arguments: [String],
        input: Data? = nil,
        environment: [String: String]? = nil
    ) async throws -> ProcessResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        let error = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin
        try process.run()
        let child = UncheckedProcess(process: process)
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                if let input { stdin.fileHandleForWriting.write(input) }
                try? stdin.fileHandleForWriting.close()
                // Both pipes are read to the end before the exit is awaited, so a chatty child
                // cannot block on a full pipe.
                let group = DispatchGroup()
                nonisolated(unsafe) var errorData = Data()
                group.enter()
                DispatchQueue.global().async {
                    errorData = error.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                let outputData = output.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                child.process.waitUntilExit()
                continuation.resume(returning: ProcessResult(
                    status: child.process.terminationStatus,
                    standardOutput: String(decoding: outputData, as: UTF8.self),
                    standardError: String(decoding: errorData, as: UTF8.self)
                ))
            }
        }
    }

    /// The Python interpreter that has PyNaCl and jsonschema (set by `make test`).
    public static var python: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["HANDOFF_PYTHON"] ?? "/usr/bin/python3")
    }

    /// Runs Python with `arguments`.
    public static func python(_ arguments: [String], input: Data? = nil) async throws -> ProcessResult {
        try await run(python, arguments, input: input)
    }
}

/// A `Process` handed to a Dispatch thread (Foundation's `Process` is not `Sendable`; only the
/// one thread that waits for it touches it then).
struct UncheckedProcess: @unchecked Sendable {
    let process: Process
}

/// A child process the test talks to line by line (a proxy, a slow client).
public final class InteractiveProcess: @unchecked Sendable {
    private let process: Process
    private let input: Pipe
    private let output: Pipe
    private var buffer = Data()

    init(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws {
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        input = Pipe()
        output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Starts `executable` for a line-by-line conversation.
    public static func start(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws -> InteractiveProcess {
        try InteractiveProcess(executable, arguments, environment: environment)
    }

    /// The next line the process printed, without its newline; read on a Dispatch thread, so
    /// the test's task waits without holding a Swift concurrency thread.
    public func readLine() async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.readLineBlocking()) }
        }
    }

    private func readLineBlocking() -> String {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                return String(decoding: line, as: UTF8.self)
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return String(decoding: buffer, as: UTF8.self) }
            buffer.append(chunk)
        }
    }

    public func write(_ text: String) {
        input.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Kills the process (SIGKILL: a helper may have inherited SIGTERM as ignored).
    public func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { terminate() }
}

extension ProcessRunner {
    /// Starts Python with `arguments` for a line-by-line conversation.
    public static func startPython(_ arguments: [String]) throws -> InteractiveProcess {
        try InteractiveProcess(python, arguments)
    }
}
