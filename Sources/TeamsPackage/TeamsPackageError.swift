import VaultCrypto

/// Why a Teams app package could not be built, with a stable code.
package struct TeamsPackageError: CodedError {
    /// Stable codes, part of the contract.
    package enum Code: String, Sendable {
        /// An icon is not a PNG of the required size and kind.
        case iconInvalid = "package.icon_invalid"
        /// An icon file could not be read.
        case iconUnreadable = "package.icon_unreadable"
        /// An option (version, app id, hosting domain) is malformed.
        case optionInvalid = "package.option_invalid"
        /// The zip could not be assembled or written.
        case writeFailed = "package.write_failed"
        /// A zip received is not a Teams app package (entries, manifest or icons).
        case notATeamsPackage = "package.not_a_teams_package"
    }

    /// The stable code.
    package let code: Code
    /// What is wrong and what to do, for people.
    package let reason: String

    /// Creates an error.
    package init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}
