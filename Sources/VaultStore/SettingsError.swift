/// A setting, file or folder the operator must fix before `handoffd` can go on (the data
/// directory's permissions, a missing key file, a lock held by another process). `handoffd` maps
/// it to 78 (EX_CONFIG). The text names the path and the fix, never a secret.
package struct SettingsError: Error, Equatable, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
