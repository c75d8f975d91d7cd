import HandoffDomain

/// What the generator operator may choose for a package; everything else in the manifest is fixed.
package struct PackageOptions: Sendable, Equatable {
    /// The Teams manifest schema versions this builder writes and tests against.
    package enum ManifestVersion: String, Sendable, CaseIterable {
        case v1_23 = "1.23"
        case v1_29 = "1.29"

        /// The schema URL written as `$schema`.
        var schemaURL: String {
            "https://developer.microsoft.com/en-us/json-schemas/teams/v\(rawValue)/MicrosoftTeams.schema.json"
        }
    }

    /// Altoura's SaaS host, where the tabs live.
    package var hostingDomain: String
    /// The app's own version, `X.Y.Z`; raise it for every re-upload that changes the manifest.
    package var appVersion: String
    /// An explicit app id; nil for the stable per-tenant id.
    package var appId: String?
    package var manifestVersion: ManifestVersion
    package var icons: AppIcons

    /// Options with the defaults of the deployment steps.
    package init(
        hostingDomain: String = ValueRules.defaultHostingDomain,
        appVersion: String = "1.0.0",
        appId: String? = nil,
        manifestVersion: ManifestVersion = .v1_23,
        icons: AppIcons = .standard()
    ) {
        self.hostingDomain = hostingDomain.lowercased()
        self.appVersion = appVersion
        self.appId = appId?.lowercased()
        self.manifestVersion = manifestVersion
        self.icons = icons
    }

    /// Refuses malformed options before anything is built.
    func check() throws {
        let parts = appVersion.split(separator: ".", omittingEmptySubsequences: false)
        let isNumber = { (part: Substring) in
            !part.isEmpty && part.allSatisfy { $0.isASCII && $0.isNumber } && (part == "0" || !part.hasPrefix("0"))
        }
        guard parts.count == 3, parts.allSatisfy(isNumber), appVersion.count <= 256 else {
            throw TeamsPackageError(.optionInvalid, "app version \(appVersion) is not X.Y.Z (for example 1.0.0)")
        }
        if let appId, !HandoffValues.isGUID(appId) {
            throw TeamsPackageError(.optionInvalid, "app id \(appId) is not a GUID")
        }
        guard hostingDomain.split(separator: ".").count >= 2, !hostingDomain.hasPrefix("*"),
              hostingDomain.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
        else {
            throw TeamsPackageError(.optionInvalid, "hosting domain \(hostingDomain) is not a host name that Altoura controls")
        }
    }
}
