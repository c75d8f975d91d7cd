/// The release both executables report with `--version`.
public enum HandoffVaultVersion {
    public static let current = "0.2.0"
}
