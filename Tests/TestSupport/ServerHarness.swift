import Foundation

/// A real `handoffd`: a fresh data directory made by `handoffd init --dev-tls`, served on a free
/// loopback port, its stdout and stderr kept in files for the tests to search.
public final class ServerHarness: @unchecked Sendable {
    public let directory: URL
    public let dataDir: URL
    public let adminToken: String
    public let serverKey: String
    public let caFile: String
    public private(set) var url = ""
    /// The extra environment of the first `start`, to start the server again as it was.
    public private(set) var startedEnvironment: [String: String] = [:]
    private var process: Process?

    public var outputFile: URL { directory.appendingPathComponent("serve.out") }
    public var errorFile: URL { directory.appendingPathComponent("serve.err") }
    public var databaseFile: URL { dataDir.appendingPathComponent("vault.sqlite") }

    /// Initialises a data directory (under `parent`, when given); `start()` serves it.
    public init(parent: URL? = nil) async throws {
        if let parent {
            directory = parent.appendingPathComponent("harness-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } else {
            directory = try TestPaths.temporaryDirectory()
        }
        dataDir = directory.appendingPathComponent("data")
        let result = try await ProcessRunner.run(TestPaths.product("handoffd"), ["init", "--data-dir", dataDir.path, "--dev-tls", "--json", "--key-name", "handoff-vault/test"])
        guard result.status == 0,
              let json = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: String],
              let admin = json["adminToken"], let key = json["serverKey"], let ca = json["caFile"]
        else { throw HarnessError("handoffd init failed: \(result.standardError)") }
        adminToken = admin
        serverKey = key
        caFile = ca
    }

    /// A harness over an existing data directory (a restored one, say), with what `init` printed then.
    public init(existingDataDir: URL, adminToken: String, serverKey: String, caFile: String) throws {
        directory = try TestPaths.temporaryDirectory()
        dataDir = existingDataDir
        self.adminToken = adminToken
        self.serverKey = serverKey
        self.caFile = caFile
    }

    /// Starts `handoffd serve` on 127.0.0.1 with a free port and waits until it listens.
    public func start(extraEnvironment: [String: String] = [:]) async throws {
        if startedEnvironment.isEmpty { startedEnvironment = extraEnvironment }
        let process = Process()
        process.executableURL = TestPaths.product("handoffd")
        process.arguments = ["serve", "--data-dir", dataDir.path, "--host", "127.0.0.1", "--port", "0"]
        var environment = ProcessInfo.processInfo.environment
        environment["HANDOFF_DRAIN_GRACE_MS"] = "0"
        for (key, value) in extraEnvironment { environment[key] = value }
        process.environment = environment
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
            if let line = output.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                url = String(line.dropFirst("listening on ".count))
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        throw HarnessError("handoffd serve did not start: \(errors)")
    }

    /// Sends `signal` to the server without waiting.
    public func signal(_ signal: Int32) {
        if let process, process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for the server to exit (polling, without holding a thread) and returns its status.
    public func waitForExit() async -> Int32 {
        guard let process else { return -1 }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        return process.terminationStatus
    }

    /// Sends SIGTERM and waits for the server to exit.
    public func stop() async {
        guard let process, process.isRunning else { return }
        process.terminate()
        _ = await waitForExit()
    }

    /// Everything the server printed so far.
    public func output() -> String {
        ((try? String(contentsOf: outputFile, encoding: .utf8)) ?? "") + ((try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
    }

    /// The environment for a `handoff` command against this server.
    public func environment(token: String? = nil, extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["HANDOFF_SERVER"] = url
        environment["HANDOFF_CA_FILE"] = caFile
        environment["HANDOFF_TOKEN"] = token
        environment["HANDOFF_INVITE"] = nil
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// Runs the built `handoff` against this server.
    public func handoff(_ arguments: [String], token: String? = nil, input: Data? = nil, extra: [String: String] = [:]) async throws -> ProcessResult {
        try await ProcessRunner.run(TestPaths.product("handoff"), arguments, input: input, environment: environment(token: token, extra: extra))
    }

    /// Runs SQL on the database file with Python's sqlite3 (an independent reader).
    public func sql(_ statement: String) async throws -> String {
        let result = try await ProcessRunner.python(["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], timeout=10)
            rows = db.execute(sys.argv[2]).fetchall()
            db.commit()
            print("\\n".join("|".join(str(v) for v in row) for row in rows))
            """, databaseFile.path, statement])
        guard result.status == 0 else { throw HarnessError("sql failed: \(result.standardError)") }
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        // A test that failed before stopping its server: stop it here (the one blocking wait).
        if let process, process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A harness step that failed.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
