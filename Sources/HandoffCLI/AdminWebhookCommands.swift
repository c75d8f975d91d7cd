import ArgumentParser
import Foundation
import HandoffDomain
import VaultClient

/// `handoff admin webhook`: endpoints the vault sends its events to.
struct AdminWebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Webhook endpoints: signed events sent to your systems.",
        subcommands: [AdminWebhookAddCommand.self, AdminWebhookListCommand.self, AdminWebhookRemoveCommand.self, AdminWebhookDeliveriesCommand.self]
    )
}

/// `handoff admin webhook add URL`: a new endpoint and its signing key, shown once.
struct AdminWebhookAddCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Send the vault's events to an https URL (Standard Webhooks, v1a Ed25519 signatures); prints the verifying key once.",
        discussion: """
            Each event (handoff.submitted, handoff.released, handoff.acknowledged, package.delivered, \
            package.fetched, handoff.expired, handoff.revoked; --events picks some) is POSTed as JSON \
            with webhook-id, webhook-timestamp and webhook-signature: v1a,<signature>; verify it with \
            the whpk_ key printed here (shown this once). Events arrive in order, at least once: \
            deduplicate by webhook-id. A failing receiver is retried with backoff for 24 hours; \
            answering 410 disables the endpoint.

            Example:
              HANDOFF_TOKEN=… handoff admin webhook add https://hooks.altoura.example/handoff --events handoff.submitted,package.fetched --json
            """
    )

    @Argument(help: ArgumentHelp("The receiver's https URL.", valueName: "url"))
    var url: String

    @Option(help: ArgumentHelp("Comma-separated event types (default: all).", valueName: "types"))
    var events: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard url.lowercased().hasPrefix("https://") else { throw ValidationError("the webhook URL must start with https://") }
        _ = try kinds()
    }

    private func kinds() throws -> [HandoffEvent.Kind] {
        try (events ?? "").split(separator: ",").map { name in
            guard let kind = HandoffEvent.Kind(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--events may name: \(HandoffEvent.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return kind
        }
    }

    func execute() async throws {
        let endpoint = try await global.withAPIClient { client in try await client.addWebhook(url: url, events: try kinds()) }
        if global.json {
            Console.json(["id": .string(endpoint.id), "signingKey": .string(endpoint.signingKey ?? ""), "webhook": endpoint.json])
        } else {
            Console.error("webhook \(endpoint.id) added for \(endpoint.events.isEmpty ? "every event" : endpoint.events.map(\.rawValue).joined(separator: ", ")); its verifying key is shown once:")
            Console.out(endpoint.signingKey ?? "")
        }
    }
}

/// `handoff admin webhook list`: endpoints and where their deliveries stand.
struct AdminWebhookListCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List webhook endpoints: state, failures in a row, next attempt."
    )

    @OptionGroup var global: GlobalOptions

    func execute() async throws {
        let endpoints = try await global.withAPIClient { client in try await client.webhooks() }
        if global.json { return Console.json(WebhookList(endpoints).json) }
        for endpoint in endpoints {
            let standing = switch endpoint.state {
            case .disabled: "disabled: \(endpoint.disabledReason ?? "")"
            case .enabled where endpoint.failures > 0:
                "failing (\(endpoint.failures) attempts), next \(endpoint.nextAttemptAt.map(Timestamp.string) ?? "soon")"
            case .enabled: "ok, up to event \(endpoint.cursor)"
            }
            Console.out("\(endpoint.id)  \(Console.escaped(endpoint.url))  \(endpoint.events.isEmpty ? "all events" : endpoint.events.map(\.rawValue).joined(separator: ","))  \(standing)")
        }
    }
}

/// `handoff admin webhook remove ID`.
struct AdminWebhookRemoveCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a webhook endpoint and its delivery log.")

    @OptionGroup var endpoint: WebhookIdArgument

    @OptionGroup var global: GlobalOptions

    private var webhookId: String { endpoint.webhookId }

    func execute() async throws {
        try await global.withAPIClient { client in try await client.removeWebhook(webhookId) }
        global.json ? Console.json(["id": .string(webhookId), "removed": true]) : Console.out("removed \(webhookId)")
    }
}

/// `handoff admin webhook deliveries ID`: the latest attempts and their outcomes.
struct AdminWebhookDeliveriesCommand: HandoffSubcommand {
    static let configuration = CommandConfiguration(commandName: "deliveries", abstract: "Show a webhook endpoint's latest delivery attempts, newest first.")

    @OptionGroup var endpoint: WebhookIdArgument

    @OptionGroup var global: GlobalOptions

    private var webhookId: String { endpoint.webhookId }

    func execute() async throws {
        let deliveries = try await global.withAPIClient { client in try await client.webhookDeliveries(webhookId) }
        if global.json { return Console.json(WebhookDeliveryList(deliveries).json) }
        for delivery in deliveries {
            Console.out("\(Timestamp.string(delivery.at))  event \(delivery.eventId)  attempt \(delivery.attempt)  \(delivery.status.map { "HTTP \($0)" } ?? "no answer")  \(delivery.milliseconds) ms  \(delivery.outcome)")
        }
    }
}

/// The webhook id a command acts on, checked before anything is sent.
struct WebhookIdArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("The endpoint's id (wh_…).", valueName: "webhook-id"))
    var webhookId: String

    func validate() throws {
        guard WebhookEndpoint.isId(webhookId) else { throw ValidationError("a webhook id looks like wh_1a2b3c4d5e6f7a8b (see handoff admin webhook list)") }
    }
}
