import ArgumentParser
import HandoffDomain

// The domain's types as command-line arguments: parsed (and refused with a usage error) by
// ArgumentParser, so commands receive typed values.

extension Role: ExpressibleByArgument {}

extension Lifetime: ExpressibleByArgument {
    package init?(argument: String) { self.init(argument) }

    package var defaultValueDescription: String { text }
}

extension TenantProofPolicy: ExpressibleByArgument {}
