/// The release both executables report with `--version`.
package enum HandoffVaultVersion {
    package static let current = "0.2.0"
}
