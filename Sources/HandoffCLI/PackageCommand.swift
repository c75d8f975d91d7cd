import ArgumentParser
import Foundation
import HandoffDomain
import TeamsPackage
import VaultCrypto

/// `handoff package`: Teams app packages for the generator.
struct PackageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Build, deliver and fetch tenant-specific Microsoft Teams app packages (Steps 8–9).",
        subcommands: [PackageBuildCommand.self, PackageDeliverCommand.self, PackageFetchCommand.self]
    )
}

/// `handoff package build`: values in, an uploadable Teams app package out.
struct PackageBuildCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build manifest.json and icons into a zip that Teams Admin Center accepts.",
        discussion: """
            The values are validated first; nothing is written when they break a rule (exit 65). \
            The same values and options always give a byte-identical zip, with a stable app id \
            per tenant, so a re-upload replaces the app.

            Example:
              handoff package build --values 5b0c2a8e-….json --out contoso.zip
              handoff package build --values values.json --out app.zip --app-version 1.0.1 --icons ./icons
            """
    )

    @Option(help: ArgumentHelp("The values file, or - for standard input.", valueName: "file"))
    var values: String

    @Option(help: ArgumentHelp("Where to write the zip.", valueName: "app.zip"))
    var out: String

    @Option(name: .customLong("hosting-domain"), help: ArgumentHelp("Altoura's hosting domain.", valueName: "host"))
    var hostingDomain = ValueRules.defaultHostingDomain

    @Option(name: .customLong("app-version"), help: ArgumentHelp("The app's version.", valueName: "X.Y.Z"))
    var appVersion = "1.0.0"

    @Option(name: .customLong("app-id"), help: ArgumentHelp("An explicit app id instead of the stable per-tenant one.", valueName: "guid"))
    var appId: String?

    @Option(name: .customLong("manifest-version"), help: ArgumentHelp("Teams manifest schema: 1.23 or 1.29.", valueName: "version"))
    var manifestVersion = PackageOptions.ManifestVersion.v1_23.rawValue

    @Option(help: ArgumentHelp("A folder with color.png (192×192) and outline.png (32×32, transparent).", valueName: "dir"))
    var icons: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard PackageOptions.ManifestVersion(rawValue: manifestVersion) != nil else {
            throw ValidationError("--manifest-version must be one of: \(PackageOptions.ManifestVersion.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func execute() async throws {
        try PulledHandoff.checkTenantProof(besideValues: self.values)
        let values = try ValuesInput.read(self.values, rules: ValueRules(hostingDomain: hostingDomain))
        let options = PackageOptions(
            hostingDomain: hostingDomain, appVersion: appVersion, appId: appId,
            manifestVersion: PackageOptions.ManifestVersion(rawValue: manifestVersion)!,
            icons: try icons.map { try AppIcons.load(from: URL(fileURLWithPath: $0)) } ?? .standard()
        )
        let built = try TeamsAppPackage.build(values: values, options: options)
        try built.write(to: URL(fileURLWithPath: out))
        try PackageReport(out: out, package: built, manifestVersion: manifestVersion).print(json: global.json)
    }
}

/// What `package build` (and `pull --package-out`) say about a package they wrote.
struct PackageReport {
    let out: String
    let package: TeamsAppPackage
    let manifestVersion: String

    var jsonValue: JSONValue {
        get throws {
            [
                "out": .string(out),
                "appId": .string(package.appId),
                "manifestVersion": .string(manifestVersion),
                "sha256": .string(Base64.encode(try SHA256.hash(package.zip))),
                "entries": .array(TeamsAppPackage.entryNames.map(JSONValue.string)),
            ]
        }
    }

    func print(json: Bool) throws {
        if json {
            Console.json(try jsonValue)
        } else {
            Console.out("wrote \(out): Teams app \(package.appId), manifest \(manifestVersion); upload it in Teams Admin Center → Teams apps → Manage apps (Step 9)")
        }
    }
}
