import Foundation
import HandoffDomain
import TeamsPackage

/// What `handoff pull` left for one handoff: its values (`DIR/<handoffId>.json`) and the
/// submission they were opened from (`DIR/<handoffId>.submission`), which `package deliver`
/// signs into the package and checks the package against.
struct PulledHandoff {
    let submissionId: String
    let values: HandoffValues

    /// The submission file's name beside the values.
    static func submissionFile(folder: String, handoffId: String) -> String { "\(folder)/\(handoffId).submission" }

    /// The tenant proof's verdict beside the values (`pull --json`'s `tenantProof`).
    static func tenantProofFile(folder: String, handoffId: String) -> String { "\(folder)/\(handoffId).tenant-proof.json" }

    /// Refuses values whose tenant proof `handoff pull` refused (the verdict file beside
    /// `valuesPath`, when there is one): a package is never built from them.
    static func checkTenantProof(besideValues valuesPath: String) throws {
        guard valuesPath.hasSuffix(".json"), !valuesPath.hasSuffix(".tenant-proof.json") else { return }
        let verdictPath = String(valuesPath.dropLast(5)) + ".tenant-proof.json"
        guard let bytes = FileManager.default.contents(atPath: verdictPath),
              let verdict = (try? JSONParser.parse(Array(bytes)))?.objectValue, verdict["status"]?.stringValue == "refused"
        else { return }
        throw CLIError.verification(
            "handoff pull refused the tenant proof of these values (\(verdict["reason"]?.stringValue ?? "no reason given")); no package is built from them"
        )
    }

    /// Reads what pull wrote for `handoffId` in `folder`.
    static func read(folder: String, handoffId: String) throws -> PulledHandoff {
        let marker = submissionFile(folder: folder, handoffId: handoffId)
        guard let text = try? String(contentsOfFile: marker, encoding: .utf8) else {
            throw CLIError.usage("\(marker) is missing: run handoff pull --out \(folder) first (it records which submission the values came from)")
        }
        let submissionId = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard HandoffValues.isHandoffId(submissionId) else {
            throw CLIError.dataInvalid("\(marker) does not hold a submission id; run handoff pull again")
        }
        try checkTenantProof(besideValues: "\(folder)/\(handoffId).json")
        return PulledHandoff(submissionId: submissionId, values: try ValuesInput.read("\(folder)/\(handoffId).json", rules: .standard))
    }

    /// Refuses a package whose sign-in is not this handoff's app registration: a package built
    /// from another customer's values must not reach this customer.
    func check(_ package: InspectedPackage) throws {
        guard package.clientId.lowercased() == values.clientId.lowercased() else {
            throw CLIError.dataInvalid(
                "the package signs users in with client ID \(package.clientId), but this handoff's values name \(values.clientId); build the package from this handoff's values"
            )
        }
        guard package.resource.lowercased() == values.applicationIdUri.lowercased() else {
            throw CLIError.dataInvalid(
                "the package's webApplicationInfo.resource is \(package.resource), but this handoff's Application ID URI is \(values.applicationIdUri); build the package from this handoff's values"
            )
        }
    }
}
