import ArgumentParser
import Foundation
import HandoffDomain
import SignIn
import VaultClient

/// How `handoff pull` checks the admins' sealed Microsoft sign-ins (DESIGN.md, "Sign in with
/// Microsoft"): against Altoura's sign-in app and the authority's keys, or a JWKS file offline.
struct TenantProofOptions: ParsableArguments {
    @Option(name: .customLong("entra-client-id"), help: ArgumentHelp("Altoura's sign-in app, the ID tokens' audience (env HANDOFF_ENTRA_CLIENT_ID).", valueName: "guid"))
    var entraClientId: String?

    @Option(name: .customLong("entra-authority"), help: ArgumentHelp("The sign-in authority (env HANDOFF_ENTRA_AUTHORITY; default https://login.microsoftonline.com).", valueName: "url"))
    var entraAuthority: String?

    @Option(name: .customLong("jwks-file"), help: ArgumentHelp("The authority's signing keys as a JWKS file, for a generator without network access to it.", valueName: "file"))
    var jwksFile: String?

    @Flag(name: .customLong("require-tenant-proof"), help: "Refuse values without a valid tenant proof: they are not written (env HANDOFF_REQUIRE_TENANT_PROOF=1).")
    var requireTenantProof = false

    var environment: [String: String] { ProcessInfo.processInfo.environment }
    var clientId: String? { (entraClientId ?? environment["HANDOFF_ENTRA_CLIENT_ID"])?.lowercased() }
    var authority: String { entraAuthority ?? environment["HANDOFF_ENTRA_AUTHORITY"] ?? SignInSettings.defaultAuthority }
    var isRequired: Bool { requireTenantProof || environment["HANDOFF_REQUIRE_TENANT_PROOF"] == "1" }

    func validate() throws {
        if let clientId, !HandoffValues.isGUID(clientId) { throw ValidationError("--entra-client-id must be the sign-in app's client ID (a GUID)") }
        guard SignInSettings.isBase(authority) else { throw ValidationError("--entra-authority must be an https URL without a trailing slash") }
        if isRequired, clientId == nil { throw ValidationError("--require-tenant-proof needs --entra-client-id (or HANDOFF_ENTRA_CLIENT_ID)") }
    }

    /// The verifier, when a client ID was given: keys from `--jwks-file`, else fetched from the
    /// authority (`/organizations/discovery/v2.0/keys`), trusting `caFile` as every HTTPS call does.
    func verifier(caFile: String?) throws -> TenantProofVerifier? {
        guard clientId != nil else { return nil }
        if let jwksFile {
            let json = try JSONParser.parse(try InputFile.read(jwksFile, limit: 1024 * 1024))
            return TenantProofVerifier(.fixed(try IssuerKeys(jwks: json)))
        }
        let authority = self.authority
        return TenantProofVerifier(.fetched { try await IssuerKeys.fetch(authority: authority, caFile: caFile) })
    }
}

/// What `handoff pull` found of one handoff's tenant proof (`pull --json`'s `tenantProof`).
enum TenantProofReport {
    case verified(VerifiedSignIn)
    case missing
    case refused(String)

    /// The refusal's reason, if it was refused.
    var reason: String? {
        if case .refused(let reason) = self { return reason }
        return nil
    }

    /// Whether a package may be built from these values: never from values whose proof was refused.
    var allowsBuilding: Bool {
        if case .refused = self { return false }
        return true
    }

    var status: String {
        switch self {
        case .verified: return "verified"
        case .missing: return "missing"
        case .refused: return "refused"
        }
    }

    var json: JSONValue {
        switch self {
        case .verified(let signIn):
            return [
                "status": "verified", "tenantId": .string(signIn.tenantId), "user": .string(signIn.user), "objectId": .string(signIn.objectId),
                "adminRoles": .array(signIn.adminRoles.map(JSONValue.string)), "binding": .string(signIn.binding.rawValue),
            ]
        case .missing: return ["status": "missing"]
        case .refused(let reason): return ["status": "refused", "reason": .string(reason)]
        }
    }

    /// One line for people.
    var text: String {
        switch self {
        case .verified(let signIn):
            return "signed in as \(signIn.user) (tenant \(signIn.tenantId)\(signIn.binding == .time ? ", device code, bound by time" : ""))"
        case .missing: return "no tenant proof"
        case .refused(let reason): return "tenant proof REFUSED: \(reason)"
        }
    }
}
