import Foundation
import HandoffDomain
import VaultStore
import Yams

/// Where and how `handoffd serve` runs. Precedence: flags > `HANDOFF_*` environment > config file
/// > defaults. The master key is never a setting here: it comes from `DIR/master.key` or
/// `HANDOFF_MASTER_KEY`.
package struct ServerSettings: Sendable, Equatable {
    package var dataDir = "./var"
    package var host = "127.0.0.1"
    package var port = 8443
    /// PEM certificate chain; default `DIR/tls/cert.pem`.
    package var tlsCertificate: String?
    /// PEM private key; default `DIR/tls/key.pem`.
    package var tlsKey: String?
    /// The https URL that invites name; default `https://<host>:<port>`.
    package var publicURL: String?
    /// Sign an audit checkpoint every this many events (and at shutdown).
    package var checkpointInterval: Int64 = 100
    /// `json` (production) or `text` (development).
    package var logFormat: LogFormat = .json
    /// How long `/readyz` answers 503 before the server stops accepting, on SIGTERM.
    package var drainGraceMilliseconds = 1000
    /// How long sealed data is kept after acknowledgement (`30d`).
    package var retentionAfterAcknowledgement: TimeInterval = 30 * 86_400
    /// How often the purge task runs (`1h`).
    package var purgeInterval: TimeInterval = 3_600
    /// A request's head must be complete this long after the connection opens or the previous
    /// response ends (also the keep-alive limit).
    package var headerTimeoutMilliseconds = 10_000
    /// A request's body must be complete this long after its head.
    package var bodyTimeoutMilliseconds = 30_000
    /// A connection that sends nothing for this long is closed (a stalled TLS handshake, say).
    package var idleTimeoutMilliseconds = 60_000
    /// An event stream with nothing to send gets a heartbeat comment this often.
    package var eventHeartbeatMilliseconds = 15_000
    /// Webhook receivers on private or loopback addresses are allowed (tests, internal
    /// receivers); link-local addresses (cloud metadata) never are.
    package var webhookAllowPrivate = false
    /// Connections served at once; more wait in the listen backlog until one closes.
    package var maxConnections = 1_024
    /// Refused requests (401, 403, 404, 429) from one client network (an IPv4 address or an IPv6
    /// /64) in a minute before it gets 429 for the rest of the minute.
    package var refusalLimit = 10
    /// The window that `refusalLimit` counts in and that each aggregated `request.refused` event
    /// covers (`1m`).
    package var refusalWindow: TimeInterval = 60
    /// Submissions kept per handoff; more are answered 429.
    package var maxSubmissionsPerHandoff = 100
    /// `postgres://…`: keep everything but the key files in PostgreSQL, shared by several nodes;
    /// nil (the default) keeps it in `DIR/vault.sqlite`. It may hold a password: never printed.
    package var databaseURL: String?
    /// Load balancers and proxies (addresses or CIDR ranges) whose `X-Forwarded-For` /
    /// `Forwarded` client address is taken; none by default.
    package var trustedProxies: TrustedProxies = .none
    /// The separately controlled static host the customer's page may also be served from
    /// (`https://host[:port]`); the API answers CORS for exactly this origin. None by default.
    package var pageOrigin: String?
    /// The text `trusted_proxies` was given as (for `config check`).
    package var trustedProxiesText = ""
    /// Altoura's multi-tenant sign-in app (Sign in with Microsoft): its client ID, the authority,
    /// and the Graph and Resource Manager bases of the live check. Every invite names them once a
    /// client ID is set; none by default.
    package var entraClientId: String?
    package var entraAuthority = SignInSettings.defaultAuthority
    package var graphURL = SignInSettings.defaultGraph
    package var armURL = SignInSettings.defaultARM
    /// Altoura's constants that Steps 2–3 ask the customer to enter, put into every invite.
    package var deploymentRedirectURI: String?
    package var deploymentAppIdURIHost: String?
    /// The witnesses each new checkpoint is sent to (C2SP tlog-witness), none by default.
    package var witnesses: [WitnessEndpoint] = []
    /// A PEM file of CA certificates trusted, beside the system's, for every HTTPS connection
    /// handoffd makes (witnesses).
    package var outboundCAFile: String?

    /// The sign-in app invites name, when one is configured.
    package var signIn: SignInSettings? {
        entraClientId.map { SignInSettings(clientId: $0, authority: entraAuthority, graph: graphURL, arm: armURL) }
    }

    package init() {}

    package var certificatePath: String { tlsCertificate ?? "\(dataDir)/tls/cert.pem" }
    package var keyPath: String { tlsKey ?? "\(dataDir)/tls/key.pem" }
    /// The data directory these settings name.
    package var dataDirectory: DataDirectory { DataDirectory(dataDir) }

    /// The settings' names in the file, the environment and on the command line.
    enum Key: String, CaseIterable {
        case dataDir = "data_dir"
        case host
        case port
        case tlsCertificate = "tls_certificate"
        case tlsKey = "tls_key"
        case publicURL = "public_url"
        case checkpointInterval = "checkpoint_interval"
        case logFormat = "log_format"
        case drainGrace = "drain_grace_ms"
        case retentionAfterAck = "retention_after_ack"
        case purgeInterval = "purge_interval"
        case headerTimeout = "header_timeout_ms"
        case bodyTimeout = "body_timeout_ms"
        case idleTimeout = "idle_timeout_ms"
        case maxConnections = "max_connections"
        case refusalLimit = "refusal_limit"
        case refusalWindow = "refusal_window"
        case maxSubmissionsPerHandoff = "max_submissions_per_handoff"
        case databaseURL = "database_url"
        case trustedProxies = "trusted_proxies"
        case pageOrigin = "page_origin"
        case entraClientId = "entra_client_id"
        case entraAuthority = "entra_authority"
        case graphURL = "graph_url"
        case armURL = "arm_url"
        case deploymentRedirectURI = "deployment.redirect_uri"
        case deploymentAppIdURIHost = "deployment.app_id_uri_host"
        case witnesses
        case outboundCAFile = "outbound_ca_file"
        case eventHeartbeat = "event_heartbeat_ms"
        case webhookAllowPrivate = "webhook_allow_private"

        /// `HANDOFF_` and the name in capitals, dots as underscores (`HANDOFF_DEPLOYMENT_REDIRECT_URI`).
        var environmentName: String { "HANDOFF_" + rawValue.uppercased().replacingOccurrences(of: ".", with: "_") }
    }

    /// Applies one setting from text, checking it.
    mutating func apply(_ key: Key, _ value: String, source: String) throws {
        switch key {
        case .dataDir: dataDir = value
        case .host: host = value
        case .port:
            guard let number = Int(value), (0...65535).contains(number) else {
                throw SettingsError("\(source): port must be a number from 0 to 65535")
            }
            port = number
        case .tlsCertificate: tlsCertificate = value
        case .tlsKey: tlsKey = value
        case .publicURL:
            guard value.hasPrefix("https://") else { throw SettingsError("\(source): public_url must be an https URL") }
            publicURL = value
        case .checkpointInterval:
            guard let number = Int64(value), (1...1_000_000).contains(number) else {
                throw SettingsError("\(source): checkpoint_interval must be a number from 1 to 1000000")
            }
            checkpointInterval = number
        case .logFormat:
            guard let format = LogFormat(rawValue: value) else { throw SettingsError("\(source): log_format must be json or text") }
            logFormat = format
        case .drainGrace:
            guard let number = Int(value), (0...60_000).contains(number) else {
                throw SettingsError("\(source): drain_grace_ms must be a number from 0 to 60000")
            }
            drainGraceMilliseconds = number
        case .headerTimeout: headerTimeoutMilliseconds = try Self.number(value, key, 100...600_000, source)
        case .bodyTimeout: bodyTimeoutMilliseconds = try Self.number(value, key, 100...600_000, source)
        case .idleTimeout: idleTimeoutMilliseconds = try Self.number(value, key, 100...3_600_000, source)
        case .maxConnections: maxConnections = try Self.number(value, key, 1...65_536, source)
        case .eventHeartbeat: eventHeartbeatMilliseconds = try Self.number(value, key, 100...60_000, source)
        case .webhookAllowPrivate:
            guard let allowed = ["true": true, "false": false][value.lowercased()] else {
                throw SettingsError("\(source): webhook_allow_private must be true or false")
            }
            webhookAllowPrivate = allowed
        case .refusalLimit: refusalLimit = try Self.number(value, key, 1...1_000_000, source)
        case .maxSubmissionsPerHandoff: maxSubmissionsPerHandoff = try Self.number(value, key, 1...100_000, source)
        case .databaseURL:
            guard value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") else {
                throw SettingsError("\(source): database_url must be a postgres:// URL")
            }
            databaseURL = value
        case .pageOrigin:
            guard PageOriginCORS.isOrigin(value) else {
                throw SettingsError("\(source): page_origin must be an https origin like https://onboarding.example.com (no path)")
            }
            pageOrigin = value
        case .entraClientId:
            guard HandoffValues.isGUID(value) else { throw SettingsError("\(source): entra_client_id must be the sign-in app's Application (client) ID, a GUID") }
            entraClientId = value.lowercased()
        case .entraAuthority, .graphURL, .armURL:
            guard SignInSettings.isBase(value) else {
                throw SettingsError("\(source): \(key.rawValue) must be an https URL without a trailing slash, query or fragment")
            }
            switch key {
            case .entraAuthority: entraAuthority = value
            case .graphURL: graphURL = value
            default: armURL = value
            }
        case .deploymentRedirectURI:
            guard value.hasPrefix("https://"), value.utf8.count <= 512, URLComponents(string: value)?.host?.isEmpty == false else {
                throw SettingsError("\(source): deployment.redirect_uri must be the https redirect URI Altoura gives customers")
            }
            deploymentRedirectURI = value
        case .deploymentAppIdURIHost:
            guard !value.isEmpty, value.utf8.count <= 253, !value.contains("/"), !value.contains(":"), !value.contains(" ") else {
                throw SettingsError("\(source): deployment.app_id_uri_host must be a host name like altouraremoteacs.azurewebsites.net")
            }
            deploymentAppIdURIHost = value.lowercased()
        case .witnesses:
            witnesses = try WitnessEndpoint.list(value, source: source)
        case .outboundCAFile:
            guard FileManager.default.fileExists(atPath: value) else { throw SettingsError("\(source): outbound_ca_file: \(value) does not exist") }
            outboundCAFile = value
        case .trustedProxies:
            switch TrustedProxies.parse(value) {
            case .success(let proxies):
                trustedProxies = proxies
                trustedProxiesText = value
            case .failure(let failure):
                throw SettingsError("\(source): trusted_proxies: \(failure.item) is not an IP address or CIDR range (like 10.0.0.0/8)")
            }
        case .refusalWindow where value.hasSuffix("s"):
            // Seconds too (tests, and operators who want finer aggregation): 1 s to a day.
            guard let seconds = Int(value.dropLast()), (1...86_400).contains(seconds) else {
                throw SettingsError("\(source): refusal_window must be a duration like 30s, 1m or 1h")
            }
            refusalWindow = TimeInterval(seconds)
        case .retentionAfterAck, .purgeInterval, .refusalWindow:
            guard let seconds = Timestamp.duration(value) else {
                throw SettingsError("\(source): \(key.rawValue) must be a duration like 30d, 12h or 90m")
            }
            switch key {
            case .retentionAfterAck: retentionAfterAcknowledgement = seconds
            case .purgeInterval: purgeInterval = seconds
            default: refusalWindow = seconds
            }
        }
    }

    private static func number(_ value: String, _ key: Key, _ range: ClosedRange<Int>, _ source: String) throws -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw SettingsError("\(source): \(key.rawValue) must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// Builds the effective settings from a YAML file (optional), the environment and flags.
    package static func load(file: String?, environment: [String: String], flags: [String: String]) throws -> ServerSettings {
        var settings = ServerSettings()
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw SettingsError("cannot read the config file \(file)")
            }
            let parsed: Any?
            do {
                parsed = try Yams.load(yaml: text)
            } catch {
                throw SettingsError("\(file) is not valid YAML")
            }
            guard let mapping = (parsed ?? [String: Any]()) as? [String: Any] else {
                throw SettingsError("\(file) must be a mapping of settings")
            }
            if let url = mapping[Key.databaseURL.rawValue].map({ "\($0)" }), Self.carriesPassword(url) {
                try Self.checkHoldsSecretPrivately(file)
            }
            // A nested mapping (`deployment:`) is read as its dotted names (`deployment.redirect_uri`).
            var flattened: [String: Any] = [:]
            for (name, value) in mapping {
                if let nested = value as? [String: Any] {
                    for (child, childValue) in nested { flattened["\(name).\(child)"] = childValue }
                } else {
                    flattened[name] = value
                }
            }
            for (name, value) in flattened.sorted(by: { $0.key < $1.key }) {
                guard let key = Key(rawValue: name) else {
                    throw SettingsError("\(file): unknown setting \(name); known: \(Key.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                // A YAML list (trusted_proxies) is taken as its comma-separated items; a witness
                // ({name, key, url}) as "<key> <url>", its name checked against its key's.
                let text = try (value as? [Any]).map { items in
                    try items.map { item in
                        guard let witness = item as? [String: Any] else { return "\(item)" }
                        return try WitnessEndpoint.text(fromMapping: witness, source: file)
                    }.joined(separator: ",")
                } ?? "\(value)"
                try settings.apply(key, text, source: file)
            }
        }
        if let file = environment[Self.databaseURLFileVariable] {
            settings.databaseURL = try Self.databaseURL(fromFile: file)
        }
        for key in Key.allCases {
            if let value = environment[key.environmentName] { try settings.apply(key, value, source: key.environmentName) }
        }
        for key in Key.allCases {
            if let value = flags[key.rawValue] { try settings.apply(key, value, source: "--\(key.rawValue)") }
        }
        return settings
    }

    /// The environment variable that names a file holding `database_url` — systemd's
    /// `LoadCredential=` puts it in `$CREDENTIALS_DIRECTORY`, readable by the service alone — so
    /// that a password needs to be neither in the config file nor in the environment.
    package static let databaseURLFileVariable = "HANDOFF_DATABASE_URL_FILE"

    /// Whether a database URL carries a password.
    static func carriesPassword(_ url: String) -> Bool {
        URLComponents(string: url)?.password?.isEmpty == false
    }

    /// Refuses a file that holds a password while group or others may read it (a config file
    /// pushed to 0644, say, which `DynamicUser=` units invite). The message never shows the password.
    static func checkHoldsSecretPrivately(_ file: String) throws {
        var info = stat()
        guard stat(file, &info) == 0 else { throw SettingsError("cannot read \(file)") }
        guard info.st_mode & 0o077 == 0 else {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw SettingsError(
                "\(file) holds a database password and has mode \(mode), readable by group or others; run chmod 600 \(file), "
                    + "or take the password out of it: put the URL in a file of its own and name it with \(databaseURLFileVariable) "
                    + "(with systemd: LoadCredential=database_url:/etc/handoffd/database_url and "
                    + "Environment=\(databaseURLFileVariable)=%d/database_url)"
            )
        }
    }

    /// The database URL kept in `file` (one line), which must be private when it holds a password.
    static func databaseURL(fromFile file: String) throws -> String {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw SettingsError("\(databaseURLFileVariable): cannot read \(file)")
        }
        let url = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw SettingsError("\(databaseURLFileVariable): \(file) must hold one postgres:// URL")
        }
        if carriesPassword(url) { try checkHoldsSecretPrivately(file) }
        return url
    }
}
