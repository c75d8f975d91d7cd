import ArgumentParser
import VaultPostgres

/// The rule for `--database-url` wherever a command takes it: a command line is visible to every
/// user of the machine (`ps`, /proc), so a URL with a password is refused there, without
/// repeating it; the password goes in `HANDOFF_DATABASE_URL` or the config file's `database_url`.
enum DatabaseURLOption {
    static let help = "postgres://… (without a password: give one through HANDOFF_DATABASE_URL or database_url)."

    static func check(_ url: String?) throws {
        guard let url, PostgresStore.carriesPassword(url) else { return }
        throw ValidationError(
            "--database-url must not carry a password: the command line is visible to every user of this machine; "
                + "set HANDOFF_DATABASE_URL or database_url in the config file instead"
        )
    }
}
