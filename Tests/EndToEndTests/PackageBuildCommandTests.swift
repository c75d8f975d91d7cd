import Foundation
import TestSupport
import Testing

/// `handoff package build`, the real binary, checked by an independent Python reader and the
/// official schemas.
@Suite("handoff package build (the real binary)")
struct PackageBuildCommandTests {
    static let handoff = TestPaths.product("handoff")
    static let checker = TestPaths.repository.appendingPathComponent("scripts/teams/check_package.py").path
    static let validFixtures = TestPaths.valueFixtureNames().filter { $0.hasPrefix("valid-") }

    static func fixture(_ name: String) -> String { TestPaths.valuesFixtures.appendingPathComponent(name).path }
    static func schema(_ version: String) -> String {
        TestPaths.shared.appendingPathComponent("reference/teams-schema/MicrosoftTeams.schema.v\(version).json").path
    }

    @Test("Every valid fixture gives a package that passes its official schema", arguments: validFixtures, ["1.23", "1.29"])
    func schemaValid(fixture: String, version: String) async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zip = directory.appendingPathComponent("app.zip").path
        let built = try await ProcessRunner.run(Self.handoff, [
            "package", "build", "--values", Self.fixture(fixture), "--out", zip, "--manifest-version", version, "--json",
        ])
        try #require(built.status == 0, "\(built.standardError)")
        #expect(built.standardOutput.contains("\"manifestVersion\":\"\(version)\""))
        let check = try await ProcessRunner.python([Self.checker, zip, Self.schema(version)])
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
        let mismatched = try await ProcessRunner.python([Self.checker, zip, Self.schema(version == "1.23" ? "1.29" : "1.23")])
        #expect(mismatched.status == 1, "the checker must notice a manifest of the other version")
    }

    @Test("Builds in different time zones are byte-identical")
    func deterministicAcrossZones() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var outputs: [Data] = []
        for zone in ["UTC", "Pacific/Auckland", "America/Los_Angeles"] {
            let zip = directory.appendingPathComponent("\(outputs.count).zip")
            var environment = ProcessInfo.processInfo.environment
            environment["TZ"] = zone
            let result = try await ProcessRunner.run(
                Self.handoff, ["package", "build", "--values", Self.fixture("valid-minimal.json"), "--out", zip.path],
                environment: environment
            )
            try #require(result.status == 0, "\(result.standardError)")
            outputs.append(try Data(contentsOf: zip))
        }
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
    }

    @Test("Invalid values exit 65 and write nothing")
    func invalidValues() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zip = directory.appendingPathComponent("app.zip").path
        let result = try await ProcessRunner.run(Self.handoff, [
            "package", "build", "--values", Self.fixture("invalid-many-at-once.json"), "--out", zip,
        ])
        #expect(result.status == 65)
        #expect(result.standardError.contains("clientId"))
        #expect(!FileManager.default.fileExists(atPath: zip))
    }

    @Test("Icons of the wrong size exit 65 and write nothing; a missing icons folder is a usage error")
    func badIcons() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let icons = directory.appendingPathComponent("icons")
        try FileManager.default.createDirectory(at: icons, withIntermediateDirectories: true)
        // Extract the default icons, then swap them so that each has the other's size.
        let reference = directory.appendingPathComponent("ref.zip").path
        _ = try await ProcessRunner.run(Self.handoff, ["package", "build", "--values", Self.fixture("valid-minimal.json"), "--out", reference])
        let unzip = try await ProcessRunner.python(["-c", """
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            open(sys.argv[2] + '/color.png', 'wb').write(z.read('outline.png'))
            open(sys.argv[2] + '/outline.png', 'wb').write(z.read('color.png'))
            """, reference, icons.path])
        try #require(unzip.status == 0, "\(unzip.standardError)")
        let zip = directory.appendingPathComponent("app.zip").path
        let refused = try await ProcessRunner.run(Self.handoff, [
            "package", "build", "--values", Self.fixture("valid-minimal.json"), "--out", zip, "--icons", icons.path,
        ])
        #expect(refused.status == 65)
        #expect(refused.standardError.contains("color.png is 32×32; Teams needs 192×192"))
        #expect(!FileManager.default.fileExists(atPath: zip))
        let missing = try await ProcessRunner.run(Self.handoff, [
            "package", "build", "--values", Self.fixture("valid-minimal.json"), "--out", zip, "--icons", directory.appendingPathComponent("none").path,
        ])
        #expect(missing.status == 64)
        let badVersion = try await ProcessRunner.run(Self.handoff, [
            "package", "build", "--values", Self.fixture("valid-minimal.json"), "--out", zip, "--manifest-version", "1.5",
        ])
        #expect(badVersion.status == 64)
        #expect(!FileManager.default.fileExists(atPath: zip))
    }
}
