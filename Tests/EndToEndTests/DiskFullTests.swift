import Foundation
import TestSupport
import Testing

/// A small tmpfs the test mounts (root only): the data directory on it, the disk filled.
final class SmallFileSystem: @unchecked Sendable {
    let mountPoint: URL

    /// Whether this machine lets the test mount a tmpfs (root in a sandbox that allows mount).
    /// (Decided once, when the suite is listed: the probe's mount and unmount wait for their
    /// processes there, outside any test's task.)
    static let available: Bool = {
        guard getuid() == 0, let mountPoint = try? TestPaths.temporaryDirectory() else { return false }
        defer { try? FileManager.default.removeItem(at: mountPoint) }
        func run(_ tool: String, _ arguments: [String]) -> Bool {
            guard let process = try? Process.run(URL(fileURLWithPath: tool), arguments: arguments) else { return false }
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mountPoint.path]) else { return false }
        return run("/bin/umount", ["-l", mountPoint.path])
    }()

    init(megabytes: Int) async throws {
        mountPoint = try TestPaths.temporaryDirectory()
        let result = try await ProcessRunner.run(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0700", "tmpfs", mountPoint.path])
        guard result.status == 0 else { throw HarnessError("mount: \(result.standardError)") }
    }

    /// Fills the file system with a file, leaving nothing free; returns the file.
    func fill() throws -> URL {
        let filler = mountPoint.appendingPathComponent("filler")
        _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
        let handle = try FileHandle(forWritingTo: filler)
        let block = Data(repeating: 0x5A, count: 64 * 1024)
        var size = block.count
        while size > 0 {
            do { try handle.write(contentsOf: Data(repeating: 0x5A, count: size)) } catch { size /= 2 }
        }
        try? handle.close()
        _ = block
        return filler
    }

    func unmount() async {
        _ = try? await ProcessRunner.run(URL(fileURLWithPath: "/bin/umount"), ["-l", mountPoint.path])
        try? FileManager.default.removeItem(at: mountPoint)
    }
}

@Suite("Disk full")
struct DiskFullTests {
    @Test("With the disk full a submission fails with 503 and leaves nothing partial; with space back it succeeds",
          .enabled(if: SmallFileSystem.available, "needs root and a tmpfs mount"))
    func diskFull() async throws {
        let disk = try await SmallFileSystem(megabytes: 12)
        do {
            try await fillAndRecover(disk)
        } catch {
            await disk.unmount()
            throw error
        }
        await disk.unmount()
    }

    /// The server on `disk` is stopped when this returns or throws (its harness goes with it),
    /// before the caller unmounts the disk.
    func fillAndRecover(_ disk: SmallFileSystem) async throws {
        let scenario = try await Scenario(parent: disk.mountPoint)
        let server = scenario.server
        let invite = try await scenario.invite()
        let values = Scenario.fixture("valid-minimal.json")
        #expect(try await server.handoff(["submit", "--values", values, "--invite-file", invite.file]).status == 0)

        let filler = try disk.fill()
        var receipted = 1
        var refusal: ProcessResult?
        for _ in 0..<50 {
            let attempt = try await server.handoff(["submit", "--values", values, "--invite-file", invite.file])
            if attempt.status == 0 { receipted += 1; continue }
            refusal = attempt
            break
        }
        let refused = try #require(refusal, "the full disk never refused a write")
        #expect(refused.status == 69, "\(refused.standardError)")
        #expect(refused.standardError.contains("could not handle the request; nothing was changed"))
        try FileManager.default.removeItem(at: filler)
        #expect(try await server.sql("SELECT COUNT(*) FROM submission") == String(receipted), "only receipted submissions exist")
        #expect(try await server.sql("SELECT COUNT(*) FROM auditEvent WHERE CAST(event AS TEXT) LIKE '%submission.received%'") == String(receipted))

        let recovered = try await server.handoff(["submit", "--values", values, "--invite-file", invite.file])
        #expect(recovered.status == 0, "\(recovered.standardError)")
        #expect(try await server.sql("PRAGMA integrity_check") == "ok")
        await server.stop()
    }
}
