import ArgumentParser
import HandoffDomain
import VaultCrypto

/// `handoff validate`: checks a values file offline against every rule.
struct ValidateCommand: OfflineSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a values file offline; exit 0 when valid, 65 with every problem listed.",
        discussion: """
            Example:
              handoff validate --values values.json
              cat values.json | handoff validate --values - --json
            """
    )

    @Option(help: ArgumentHelp("The values file, or - for standard input.", valueName: "file"))
    var values: String

    @Option(name: .customLong("hosting-domain"), help: ArgumentHelp("Altoura's hosting domain.", valueName: "host"))
    var hostingDomain = ValueRules.defaultHostingDomain

    @OptionGroup var global: CustomerOptions

    func executeNow() throws {
        var document = try InputFile.read(values, limit: HandoffValues.maximumDocumentSize)
        defer { SecretBytes.wipe(&document) }
        let source = values == "-" ? "standard input" : values
        do {
            let checked = try HandoffValues.validate(document: document, rules: ValueRules(hostingDomain: hostingDomain))
            if global.json {
                Console.json(["valid": true, "problems": []])
            } else {
                Console.out("\(source): valid — client \(checked.clientId), tenant \(checked.tenantId), ACS \(checked.acsEndpoint)")
            }
        } catch {
            if global.json {
                Console.json(["valid": false, "problems": .array(error.problems.map(\.jsonValue))])
                throw ExitCode(ExitStatus.dataInvalid.rawValue)
            }
            throw CLIError.valuesInvalid(error, source: source)
        }
    }
}
