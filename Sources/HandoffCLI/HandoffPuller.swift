import Foundation
import HandoffDomain
import SignIn
import VaultClient
import VaultCrypto

/// What `HandoffPuller` opened for one handoff and wrote into its folder.
struct PulledSubmission {
    enum Content {
        /// The values (written to `file`), with the tenant proof's verdict.
        case values(HandoffValues, TenantProofReport)
        /// A Step 10 Object ID, merged into the values `file` already held.
        case objectId(ObjectIdPayload)
    }

    let submissionId: String
    /// `DIR/<handoffId>.json`.
    let file: String
    let content: Content
}

/// Fetches a handoff's latest submission and opens it on this machine — the generator's side of
/// `handoff pull` and `handoff generator run`: the box opened with the key it was sealed to, its
/// handoff id checked against the one it was fetched for, the values validated again, the
/// tenant proof checked (and required when asked), and only then `DIR/<handoffId>.json` (0600),
/// the submission it came from and the proof's verdict written.
struct HandoffPuller {
    let out: String
    let keyPairs: [String: SealingKeyPair]
    let tenantProof: TenantProofOptions
    let verifier: TenantProofVerifier?

    /// A puller writing into `out`, opening with every key in `keyFiles`.
    init(out: String, keyFiles: [String], tenantProof: TenantProofOptions, caFile: String?) throws {
        self.out = out
        self.tenantProof = tenantProof
        verifier = try tenantProof.verifier(caFile: caFile ?? ProcessInfo.processInfo.environment["HANDOFF_CA_FILE"])
        var keyPairs: [String: SealingKeyPair] = [:]
        for path in keyFiles {
            let keys = try GeneratorKeyFile.read(path)
            keyPairs[keys.sealing.publicKey.keyId] = keys.sealing
        }
        self.keyPairs = keyPairs
    }

    /// Fetches (releases) the latest submission of `handoff`, opens, checks and writes it.
    func pull(_ handoff: HandoffSummary, client: VaultClient) async throws -> PulledSubmission {
        let latest = try await client.latestSubmission(handoffId: handoff.id)
        guard let keyPair = keyPairs[latest.recipientKeyId] else {
            throw CLIError.verification("it was sealed to generator key \(latest.recipientKeyId), which none of the --key files holds")
        }
        let file = "\(out)/\(handoff.id).json"
        let payload: SealedPayload
        switch try OpenedPayload.open(latest.sealed, with: keyPair, expectedHandoffId: handoff.id) {
        case .values(let values): payload = values
        case .objectId(let step10):
            try merge(step10, into: file, submissionId: latest.submissionId, handoffId: handoff.id)
            return PulledSubmission(submissionId: latest.submissionId, file: file, content: .objectId(step10))
        }
        let report = await check(payload.tenantProof, of: payload, handoff: handoff, receivedAt: latest.receivedAt)
        if tenantProof.isRequired, case .verified = report {} else if tenantProof.isRequired {
            throw CLIError.verification("the tenant proof is \(report.status)\(report.reason.map { ": \($0)" } ?? "") (--require-tenant-proof)")
        }
        var bytes = CanonicalJSON.encode(payload.values.jsonValue) + [0x0A]
        defer { SecretBytes.wipe(&bytes) }
        try OutputFile.writePrivate(bytes, to: file)
        // Which submission these values are: package deliver signs it into the package.
        try OutputFile.writePrivate(Array((latest.submissionId + "\n").utf8), to: PulledHandoff.submissionFile(folder: out, handoffId: handoff.id))
        try OutputFile.writePrivate(CanonicalJSON.encode(report.json) + [0x0A], to: PulledHandoff.tenantProofFile(folder: out, handoffId: handoff.id))
        return PulledSubmission(submissionId: latest.submissionId, file: file, content: .values(payload.values, report))
    }

    /// A Step 10 payload: its Object ID added to the values this folder holds from the handoff's
    /// latest full submission (their tenant proof's verdict stays as it was); no package is built.
    private func merge(_ step10: ObjectIdPayload, into file: String, submissionId: String, handoffId: String) throws {
        guard FileManager.default.fileExists(atPath: file) else {
            throw CLIError.dataInvalid(
                "it holds the Teams app's Object ID alone (Step 10), to be added to values this folder does not hold (\(file)); pull into the folder the handoff's values were pulled into"
            )
        }
        let merged = try ValuesInput.read(file, rules: .standard).adding(step10)
        var bytes = CanonicalJSON.encode(merged.jsonValue) + [0x0A]
        defer { SecretBytes.wipe(&bytes) }
        try OutputFile.writePrivate(bytes, to: file)
        try OutputFile.writePrivate(Array((submissionId + "\n").utf8), to: PulledHandoff.submissionFile(folder: out, handoffId: handoffId))
    }

    /// The tenant proof's verdict: verified, missing, or refused with the check that failed.
    private func check(
        _ proof: TenantProof?, of payload: SealedPayload, handoff: HandoffSummary, receivedAt: Date
    ) async -> TenantProofReport {
        guard let proof else { return .missing }
        guard let verifier, let clientId = tenantProof.clientId else {
            return .refused("it was not checked: give --entra-client-id (and --entra-authority or --jwks-file)")
        }
        let check = TenantProofCheck(
            clientId: clientId, authority: tenantProof.authority, handoffId: handoff.id, valuesTenantId: payload.values.tenantId,
            pinnedTenantId: handoff.tenantId, handoffCreatedAt: Int64(handoff.createdAt.timeIntervalSince1970),
            receivedAt: Int64(receivedAt.timeIntervalSince1970)
        )
        do {
            return .verified(try await verifier.verify(proof, check: check))
        } catch let error as FormatError {
            return .refused(error.reason)
        } catch let error as ClientError {
            return .refused("the authority's keys could not be fetched: \(CLIError.explain(error))")
        } catch {
            return .refused("the authority's keys could not be read")
        }
    }
}
