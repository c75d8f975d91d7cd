import Foundation
import HandoffDomain
import TeamsPackage
import TestSupport
import Testing
import ZIPFoundation

@Suite("Teams app package")
struct TeamsAppPackageTests {
    static let validFixtures = TestPaths.valueFixtureNames().filter { $0.hasPrefix("valid-") }

    static func values(_ name: String) throws -> HandoffValues {
        try HandoffValues.validate(document: Array(try Data(contentsOf: TestPaths.valuesFixtures.appendingPathComponent(name))))
    }

    static func entries(_ zip: Data) throws -> [(name: String, data: Data)] {
        let archive = try Archive(data: zip, accessMode: .read)
        return try archive.map { entry in
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            return (entry.path, data)
        }
    }

    static func pngSize(_ data: Data) -> (UInt32, UInt32)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[1...3] == [0x50, 0x4E, 0x47] else { return nil }
        let read = { (offset: Int) in bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        return (read(16), read(20))
    }

    @Test("Holds exactly manifest.json and the two icons at its root, with the stated sizes",
          arguments: validFixtures, PackageOptions.ManifestVersion.allCases)
    func layout(fixture: String, version: PackageOptions.ManifestVersion) throws {
        let package = try TeamsAppPackage.build(values: try Self.values(fixture), options: PackageOptions(manifestVersion: version))
        let entries = try Self.entries(package.zip)
        #expect(entries.map(\.name) == ["manifest.json", "color.png", "outline.png"])
        #expect(Self.pngSize(entries[1].data).map { [$0.0, $0.1] } == [192, 192])
        #expect(Self.pngSize(entries[2].data).map { [$0.0, $0.1] } == [32, 32])
        #expect(try JSONParser.parse(Array(entries[0].data)) == package.manifest)
    }

    @Test("Maps the values as Step 8 says", arguments: validFixtures)
    func mapping(fixture: String) throws {
        let values = try Self.values(fixture)
        let manifest = try #require(try TeamsAppPackage.build(values: values, options: PackageOptions()).manifest.objectValue)
        let info = try #require(manifest["webApplicationInfo"]?.objectValue)
        #expect(info["id"] == .string(values.clientId))
        #expect(info["resource"] == .string(values.applicationIdUri))
        #expect(Set(info.keys) == ["id", "resource"])
        #expect(manifest["validDomains"] == [.string(ValueRules.defaultHostingDomain)])
        let tab = try #require(manifest["configurableTabs"]?.arrayValue?.first?.objectValue)
        #expect(tab["configurationUrl"]?.stringValue?.hasPrefix("https://\(ValueRules.defaultHostingDomain)/") == true)
        #expect(tab["context"]?.arrayValue?.contains("meetingStage") == true)
        #expect(tab["context"]?.arrayValue?.contains("meetingSidePanel") == true)
        let permissions = manifest["authorization"]?.objectValue?["permissions"]?.objectValue?["resourceSpecific"]
        #expect(permissions == [["name": "MeetingStage.Write.Chat", "type": "Delegated"]])
        #expect(manifest["manifestVersion"] == "1.23")
    }

    @Test("Two builds from the same values and options are byte-identical; the app id is stable per tenant")
    func deterministic() throws {
        let values = try Self.values("valid-minimal.json")
        let first = try TeamsAppPackage.build(values: values, options: PackageOptions())
        let second = try TeamsAppPackage.build(values: values, options: PackageOptions())
        #expect(first.zip == second.zip)
        #expect(first.appId == TeamsAppID.forTenant(values.tenantId))
        let other = try TeamsAppPackage.build(values: try Self.values("valid-uppercase-guids.json"), options: PackageOptions())
        #expect(other.appId != first.appId)
        let explicit = try TeamsAppPackage.build(
            values: values, options: PackageOptions(appId: "6A1B4C9E-0D3F-4E2A-8B7C-5D6E7F8A9B0C")
        )
        #expect(explicit.appId == "6a1b4c9e-0d3f-4e2a-8b7c-5d6e7f8a9b0c")
        let bumped = try TeamsAppPackage.build(values: values, options: PackageOptions(appVersion: "1.0.1"))
        #expect(bumped.zip != first.zip)
    }

    @Test("A received package is inspected: what the manifest says, and a refusal for anything else")
    func inspect() throws {
        let values = try Self.values("valid-minimal.json")
        let built = try TeamsAppPackage.build(values: values, options: PackageOptions())
        #expect(ZipShape.isPlausible(Array(built.zip)))
        let inspected = try TeamsAppPackage.inspect(built.zip)
        #expect(inspected.clientId == values.clientId && inspected.appId == built.appId && inspected.resource == values.applicationIdUri)
        let bytes = Array(built.zip)
        for broken in [Array("not a zip".utf8), Array(bytes.dropLast()), bytes + [0], Array(bytes.dropFirst(4)), [UInt8](repeating: 0, count: 64)] {
            #expect(!ZipShape.isPlausible(broken))
            #expect(throws: TeamsPackageError.self) { try TeamsAppPackage.inspect(Data(broken)) }
        }
    }

    @Test("The app id is RFC 9562 UUID v5, as Python's uuid.uuid5 computes it")
    func appIdMatchesPython() async throws {
        let tenant = "096d3737-42f9-4039-8320-a4737c2b3abe"
        let python = try await ProcessRunner.python([
            "-c", "import uuid,sys; print(uuid.uuid5(uuid.UUID(sys.argv[1]), sys.argv[2]))", TeamsAppID.namespace, tenant,
        ])
        #expect(python.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == TeamsAppID.forTenant(tenant))
        #expect(TeamsAppID.forTenant(tenant.uppercased()) == TeamsAppID.forTenant(tenant))
    }

    @Test("Refuses icons of the wrong size or kind, naming the file")
    func iconChecks() throws {
        let standard = AppIcons.standard()
        let cases: [(Data, Data, String)] = [
            (standard.outline, standard.outline, "color.png is 32×32"),
            (standard.color, standard.color, "outline.png is 192×192"),
            (Data("GIF89a".utf8), standard.outline, "color.png is not a PNG"),
            (standard.color, Self.rgbPNG32(), "outline.png has no transparency"),
        ]
        for (color, outline, message) in cases {
            let error = #expect(throws: TeamsPackageError.self) { try AppIcons(color: color, outline: outline) }
            #expect(error?.code == .iconInvalid)
            #expect(error?.reason.contains(message) == true, "\(error?.reason ?? "")")
        }
    }

    @Test("Refuses malformed options", arguments: [
        PackageOptions(appVersion: "1.0"), PackageOptions(appVersion: "01.0.0"), PackageOptions(appVersion: "1.0.0-beta"),
        PackageOptions(appId: "not-a-guid"), PackageOptions(hostingDomain: "*.com"), PackageOptions(hostingDomain: "localhost"),
    ])
    func badOptions(options: PackageOptions) throws {
        let error = #expect(throws: TeamsPackageError.self) {
            try TeamsAppPackage.build(values: try Self.values("valid-minimal.json"), options: options)
        }
        #expect(error?.code == .optionInvalid)
    }

    /// A 32×32 RGB PNG header (colour type 2): the right size, but no alpha channel.
    static func rgbPNG32() -> Data {
        var bytes = [UInt8](AppIcons.standard().outline)
        bytes[25] = 2
        return Data(bytes)
    }
}
