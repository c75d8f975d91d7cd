import ArgumentParser
import Foundation
import HandoffDomain
import SignIn
import VaultCrypto

/// How the customer admin signs in with Microsoft, when the invite asks for it.
struct SignInOptions: ParsableArguments {
    @Flag(name: .customLong("sign-in"), help: "Sign in with Microsoft even where the invite only offers it (a required sign-in always happens).")
    var signIn = false

    @Flag(name: .customLong("use-device-code"), help: "Sign in with a device code (for a machine without a browser; your tenant may block it).")
    var useDeviceCode = false

    @Flag(name: .customLong("no-browser"), help: "Print the sign-in address instead of opening a browser.")
    var noBrowser = false
}

/// The sign-in before sealing (DESIGN.md, "Sign in with Microsoft"): the admin signs in, the ID
/// token is checked here by the generator's own rules (keys from the authority), and the proof is
/// sealed with the values, so the vault never sees it.
enum SignInStep {
    /// Whether this submission signs in: always when the invite requires it, on request when it offers it.
    static func wanted(_ invite: InviteCode, _ options: SignInOptions) throws -> Bool {
        guard invite.signIn != nil else {
            if options.signIn { throw CLIError.usage("this invite offers no Sign in with Microsoft; submit without --sign-in") }
            return false
        }
        return invite.tenantProof == .required || options.signIn
    }

    /// A checked sign-in: the proof to seal, who signed in, and (when Graph was asked for) the
    /// delegated Graph token of the live check, in memory only.
    struct SignedIn {
        let proof: TenantProof
        let who: VerifiedSignIn
        let graphToken: String?
    }

    /// Signs in, checks the token, and answers the proof to seal with who signed in; with
    /// `readGraph`, also asks for the live check's Graph scopes. A token of another tenant than
    /// the values' (or the invite's) is refused here, in the admin's words.
    static func proof(
        for invite: InviteCode, valuesTenantId: String?, handoffCreatedAt: Date?, options: SignInOptions, caFile: String?, readGraph: Bool = false
    ) async throws -> SignedIn {
        guard let settings = invite.signIn else { throw CLIError.usage("this invite offers no Sign in with Microsoft") }
        let salt = try TenantProof.newNonceSalt()
        var signIn = MicrosoftSignIn(settings: settings, caFile: caFile, tell: { Console.error($0) })
        if readGraph { signIn.resourceScopes = GraphReader.scopes(graph: settings.graph) }
        let tokens: SignInTokens
        do {
            tokens = options.useDeviceCode
                ? try await signIn.deviceCode()
                : try await signIn.authorizationCode(
                    nonce: try TenantProof.nonce(handoffId: invite.handoffId, nonceSalt: salt), printOnly: options.noBrowser, openBrowser: openBrowser
                )
        } catch let error as SignInError {
            throw CLIError.signIn(error)
        }
        let token = tokens.idToken
        let proof = TenantProof(idToken: token, nonceSalt: salt)
        let claims = (try? CompactJWS(parsing: token))?.claims ?? [:]
        let signedInTenant = claims["tid"]?.stringValue?.lowercased() ?? "?"
        let who = "Signed in as \(claims["preferred_username"]?.stringValue ?? "?")\(claims["name"]?.stringValue.map { " (\($0), tenant \(signedInTenant))" } ?? " (tenant \(signedInTenant))")."
        if let valuesTenantId, signedInTenant != valuesTenantId.lowercased() {
            throw CLIError.dataInvalid(
                "\(who) The values name tenant \(valuesTenantId.lowercased()) — sign in with an account of that tenant, or correct the Directory (tenant) ID. Nothing was sent."
            )
        }
        if let pinned = invite.tenantId, signedInTenant != pinned {
            throw CLIError.dataInvalid("\(who) This invite is for tenant \(pinned) — sign in with an account of that tenant. Nothing was sent.")
        }
        let check = TenantProofCheck(
            clientId: settings.clientId, authority: settings.authority, handoffId: invite.handoffId,
            valuesTenantId: valuesTenantId ?? signedInTenant, pinnedTenantId: invite.tenantId,
            handoffCreatedAt: Int64((handoffCreatedAt ?? Date()).timeIntervalSince1970), receivedAt: Int64(Date().timeIntervalSince1970)
        )
        let verifier = TenantProofVerifier(.fetched { try await IssuerKeys.fetch(authority: settings.authority, caFile: caFile) })
        do {
            return SignedIn(proof: proof, who: try await verifier.verify(proof, check: check), graphToken: tokens.accessToken)
        } catch let error as FormatError {
            throw CLIError.verification("\(who) The sign-in does not hold: \(error.reason). Nothing was sent")
        }
    }

    /// Opens `url` with `$BROWSER` or xdg-open; false when neither could start.
    @Sendable static func openBrowser(_ url: String) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        let command = environment["BROWSER"].flatMap { $0.isEmpty ? nil : $0 } ?? "xdg-open"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command, url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            return true
        } catch {
            return false
        }
    }
}
