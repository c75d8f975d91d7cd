import Foundation
import HandoffDomain
import VaultClient
import VaultCrypto

/// What every command that talks to the server needs: an optional server URL and a CA to trust.
protocol ServerConnection {
    var server: String? { get }
    var caFile: String? { get }
}

extension ServerConnection {
    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The CA file: `--ca-file`, else `HANDOFF_CA_FILE`, else the system's trust store.
    var trustedCAFile: String? { caFile ?? environment["HANDOFF_CA_FILE"] }

    /// The server URL for an invite's commands: the invite's own, unless the `--server` flag says
    /// otherwise. `HANDOFF_SERVER` is not read: an environment set up for admin work must not send
    /// an invite's token to another server.
    func serverURL(for invite: InviteCode) -> String {
        server ?? invite.server
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
}

/// How an operator's command reaches the server: URL, trusted CA and token from options or
/// environment.
extension GlobalOptions: ServerConnection {
    /// The server URL for role-token commands: `--server`, else `HANDOFF_SERVER`.
    func serverURL() throws -> String {
        guard let url = server ?? environment["HANDOFF_SERVER"] else {
            throw CLIError.usage("which server? give --server https://… or set HANDOFF_SERVER")
        }
        return url
    }

    /// The API token: from `--token-file`, else `HANDOFF_TOKEN`. Never a plain option. Cleaned of
    /// what editors and pasting add (CRLF, quotes, a byte order mark).
    func apiToken() throws -> BearerToken {
        let token: BearerToken
        if let tokenFile {
            var bytes = try InputFile.read(tokenFile, limit: 4096)
            defer { SecretBytes.wipe(&bytes) }
            token = BearerToken(text: String(decoding: bytes, as: UTF8.self))
        } else if let text = environment["HANDOFF_TOKEN"] {
            token = BearerToken(text: text)
        } else {
            throw CLIError.usage("this command needs an API token: --token-file FILE or HANDOFF_TOKEN")
        }
        guard token.isWellFormed else {
            throw CLIError.usage("\(tokenFile ?? "HANDOFF_TOKEN") does not hold a Handoff Vault token (hv_…); nothing was sent")
        }
        return token
    }

    /// Runs `body` with a client for a role token (admin, generator, auditor).
    func withAPIClient<T>(_ body: (VaultClient) async throws -> T) async throws -> T {
        try await withClient(server: try serverURL(), token: try apiToken(), body)
    }
}
