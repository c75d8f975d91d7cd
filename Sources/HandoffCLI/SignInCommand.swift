import ArgumentParser
import Foundation
import HandoffDomain
import VaultClient

/// `handoff signin --check`: tries Sign in with Microsoft for an invite alone, nothing sent.
struct SignInCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "signin",
        abstract: "Try Sign in with Microsoft for an invite, and check the sign-in as Altoura will; nothing is sent.",
        discussion: """
            Signs in (a browser on this machine, or --use-device-code), checks the ID token with the \\
            authority's keys and the rules Altoura's generator applies, and says who signed in for \\
            which tenant. With --values it also checks that tenant against the Directory (tenant) ID \\
            in the values.

            Example:
              handoff signin --check --invite-file invite.txt --values values.json
            """
    )

    @Flag(help: "Sign in and check; send nothing (the only mode).")
    var check = false

    @Option(name: .customLong("invite-file"), help: ArgumentHelp("File holding the invite code.", valueName: "file"))
    var inviteFile: String?

    @Option(help: ArgumentHelp("A values file whose tenant the sign-in must match.", valueName: "file"))
    var values: String?

    @OptionGroup var signIn: SignInOptions

    @OptionGroup var global: CustomerOptions

    func validate() throws {
        guard check else { throw ValidationError("handoff signin needs --check (it only tries the sign-in; handoff submit signs in for real)") }
    }

    func execute() async throws {
        let invite = try CustomerInput.invite(file: inviteFile)
        let tenant = try values.map { try CustomerInput.values(path: $0, rules: .standard).tenantId }
        let createdAt = try? await global.withClient(server: global.serverURL(for: invite), token: invite.token) { try await $0.handoff(invite.handoffId).createdAt }
        let who = try await SignInStep.proof(for: invite, valuesTenantId: tenant, handoffCreatedAt: createdAt, options: signIn, caFile: global.trustedCAFile).who
        if global.json {
            Console.json([
                "user": .string(who.user), "tenantId": .string(who.tenantId), "objectId": .string(who.objectId),
                "binding": .string(who.binding.rawValue), "checked": true,
            ])
        } else {
            Console.out("Signed in as \(who.user)\(who.name.map { " (\($0))" } ?? ""), tenant \(who.tenantId). The sign-in checks out as Altoura's generator will check it; nothing was sent.")
        }
    }
}
