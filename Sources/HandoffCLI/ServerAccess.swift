import Foundation
import HandoffDomain
import VaultClient
import VaultCrypto

/// How a command reaches the server: URL, trusted CA and token from options or environment.
extension GlobalOptions {
    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The server URL for role-token commands: `--server`, else `HANDOFF_SERVER`.
    func serverURL() throws -> String {
        guard let url = server ?? environment["HANDOFF_SERVER"] else {
            throw CLIError.usage("which server? give --server https://… or set HANDOFF_SERVER")
        }
        return url
    }

    /// The server URL for an invite's commands: the invite's own, unless the `--server` flag says
    /// otherwise. `HANDOFF_SERVER` is not read: an environment set up for admin work must not send
    /// an invite's token to another server.
    func serverURL(for invite: InviteCode) -> String {
        server ?? invite.server
    }

    /// The CA file: `--ca-file`, else `HANDOFF_CA_FILE`, else the system's trust store.
    var trustedCAFile: String? { caFile ?? environment["HANDOFF_CA_FILE"] }

    /// The API token: from `--token-file`, else `HANDOFF_TOKEN`. Never a plain option.
    func apiToken() throws -> BearerToken {
        if let tokenFile {
            var bytes = try InputFile.read(tokenFile, limit: 4096)
            defer { SecretBytes.wipe(&bytes) }
            return BearerToken(text: String(decoding: bytes, as: UTF8.self))
        }
        guard let text = environment["HANDOFF_TOKEN"] else {
            throw CLIError.usage("this command needs an API token: --token-file FILE or HANDOFF_TOKEN")
        }
        return BearerToken(text: text)
    }

    /// Runs `body` with a client that is shut down afterwards, whatever happens.
    func withClient<T>(server: String, token: BearerToken, _ body: (VaultClient) async throws -> T) async throws -> T {
        let client = try VaultClient(server: server, caFile: trustedCAFile, token: token)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Runs `body` with a client for a role token (admin, generator, auditor).
    func withAPIClient<T>(_ body: (VaultClient) async throws -> T) async throws -> T {
        try await withClient(server: try serverURL(), token: try apiToken(), body)
    }
}
