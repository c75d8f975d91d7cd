import ArgumentParser
import Foundation
import HandoffDomain
import SignIn

/// The live check (DESIGN.md, "the live check"): the app registration read from Microsoft Graph
/// with the admin's delegated token, checked against Steps 1–4 (and 10 with the Teams app's Object
/// ID) by `SetupCheck`; findings in the validator's shape, exit 65 while there are any.
enum SetupStep {
    /// The findings for `values` in the tenant the admin signed in to.
    static func findings(_ values: HandoffValues, invite: InviteCode, signedIn: SignInStep.SignedIn, caFile: String?) async throws -> [SetupFinding] {
        guard let settings = invite.signIn, let token = signedIn.graphToken else {
            throw CLIError.signIn(SignInError(.failed, "Microsoft gave no Microsoft Graph token with the sign-in, so the app registration could not be read"))
        }
        let setup = try await GraphReader(graph: settings.graph, caFile: caFile, accessToken: token).setup(clientId: values.clientId)
        return SetupCheck.findings(values: values, invitedRedirectUri: invite.redirectUri, tenantId: signedIn.who.tenantId, setup: setup)
    }

    /// Prints the verdict and throws (exit 65) when something is wrong; says so when all is well
    /// unless `quietWhenValid`.
    static func check(
        _ values: HandoffValues, invite: InviteCode, signedIn: SignInStep.SignedIn, caFile: String?, json: Bool, quietWhenValid: Bool = true
    ) async throws {
        let found = try await findings(values, invite: invite, signedIn: signedIn, caFile: caFile)
        let problems = found.map(\.problem)
        if found.isEmpty {
            if json, !quietWhenValid { Console.json(["valid": true, "problems": []]) }
            if !json { Console.out("Your app registration in tenant \(signedIn.who.tenantId) is set up as Steps 1–4\(values.teamsAppObjectId == nil ? "" : " and 10") say.") }
            return
        }
        if json {
            Console.json(["valid": false, "problems": .array(problems.map(\.jsonValue))])
            throw ExitCode(ExitStatus.dataInvalid.rawValue)
        }
        throw CLIError.valuesInvalid(ValuesInvalid(problems: problems), source: "your app registration in tenant \(signedIn.who.tenantId)")
    }
}

/// `handoff check-setup`: the live check alone, nothing sent.
struct CheckSetupCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "check-setup",
        abstract: "Sign in with Microsoft and check your app registration against Steps 1-4 (and 10); nothing is sent.",
        discussion: """
            Reads the app registration of the values' Application (client) ID in your tenant \\
            (Microsoft Graph, with your delegated sign-in: Application.Read.All and \\
            DelegatedPermissionGrant.Read.All) and lists what differs from the deployment steps, \\
            each with where to fix it. Exit 0 when all is well, 65 with findings.

            Example:
              handoff check-setup --values values.json --invite-file invite.txt
            """
    )

    @Option(help: ArgumentHelp("The values file.", valueName: "file"))
    var values: String

    @Option(name: .customLong("invite-file"), help: ArgumentHelp("File holding the invite code.", valueName: "file"))
    var inviteFile: String?

    @OptionGroup var signIn: SignInOptions

    @OptionGroup var global: CustomerOptions

    func execute() async throws {
        let invite = try CustomerInput.invite(file: inviteFile)
        let checked = try CustomerInput.values(path: values, rules: .standard)
        let signedIn = try await SignInStep.proof(
            for: invite, valuesTenantId: checked.tenantId, handoffCreatedAt: nil, options: signIn, caFile: global.trustedCAFile, readGraph: true
        )
        if !global.json { Console.out("Signed in as \(signedIn.who.user), tenant \(signedIn.who.tenantId).") }
        try await SetupStep.check(checked, invite: invite, signedIn: signedIn, caFile: global.trustedCAFile, json: global.json, quietWhenValid: false)
    }
}
