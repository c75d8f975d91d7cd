import ArgumentParser
import VaultServer
import VaultStore

/// The one place where `handoffd`'s failures become a line on standard error and a sysexits
/// status: a setting that cannot be used is 78 (EX_CONFIG), a store failure 74 (EX_IOERR). A
/// command that means something else by them passes its own statuses (`init`: 73 when the
/// directory cannot be made or is already initialised; `serve`: 78 for a database it cannot open).
enum FailureReport {
    static func exiting<Result>(
        settings settingsStatus: Int32 = 78,
        store storeStatus: (StoreError) -> Int32 = { _ in 74 },
        _ body: () async throws -> Result
    ) async throws -> Result {
        do {
            return try await body()
        } catch let error as SettingsError {
            Output.error(error.description)
            throw ExitCode(settingsStatus)
        } catch let error as StoreError {
            Output.error(error.reason)
            throw ExitCode(storeStatus(error))
        }
    }
}
