import ArgumentParser
import Foundation
import HandoffDomain
import VaultServer

/// `handoffd web-bundle`: the customer's page as static files for a separate host.
struct WebBundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web-bundle",
        abstract: "Write the customer's page as static files for a separately controlled host (page_origin).",
        discussion: """
            The page served from a host the vault's operators do not control cannot be changed by a \
            compromised vault. Serve the folder over HTTPS at the origin set as page_origin on every \
            node; the page talks only to --vault-origin (its Content-Security-Policy says so). The \
            bundle is reproducible: the same handoffd version and origin give the same bytes, listed \
            in SHA256SUMS, and the page code digest printed here is the one the page's footer shows.

            Example:
              handoffd web-bundle --vault-origin https://vault.example.com --out ./page
            """
    )

    @Option(name: .customLong("vault-origin"), help: ArgumentHelp("The vault's https origin the page talks to.", valueName: "url"))
    var vaultOrigin: String

    @Option(help: ArgumentHelp("A new folder for the files.", valueName: "dir"))
    var out: String

    @Flag(help: "Machine-readable JSON on standard output.")
    var json = false

    func run() async throws {
        let written = try await FailureReport.exiting { try PageBundle.write(vaultOrigin: vaultOrigin, to: out) }
        if json {
            Output.line(CanonicalJSON.string([
                "codeDigest": .string(written.codeDigest),
                "files": .object(Dictionary(uniqueKeysWithValues: written.files.map { ($0.path, JSONValue.string($0.sha256)) })),
            ]))
        } else {
            Output.line("wrote the page for \(vaultOrigin) to \(out); page code digest \(written.codeDigest)")
            Output.line(written.checksums, terminator: "")
        }
    }
}
