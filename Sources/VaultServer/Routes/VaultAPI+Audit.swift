import Foundation
import HandoffDomain
import Hummingbird
import VaultCrypto
import VaultStore

extension VaultAPI {
    /// The audit log: events, checkpoints, proofs.
    func addAuditRoutes(to v1: RouterGroup<VaultRequestContext>) {
        v1.get("audit/events", use: auditEvents)
        v1.get("audit/checkpoint", use: auditCheckpoint)
        v1.get("audit/proof/inclusion", use: inclusionProof)
        v1.get("audit/proof/consistency", use: consistencyProof)
    }

    /// An integer query parameter, or a 400 naming it.
    func integer(_ request: Request, _ name: String, default value: Int64? = nil, in range: ClosedRange<Int64> = 0...Int64.max) throws -> Int64 {
        guard let text = request.uri.queryParameters.get(name) else {
            guard let value else { throw APIProblem.badRequest("request.missing_query", "the query needs \(name)") }
            return value
        }
        guard let number = Int64(text), range.contains(number) else {
            throw APIProblem.badRequest("request.invalid_query", "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// `GET /v1/audit/events?after=N&limit=M` (auditor, admin): events with index ≥ N, in order.
    @Sendable func auditEvents(_ request: Request, context: VaultRequestContext) async throws -> Response {
        _ = try authorize(context, [.auditor, .admin])
        let start = try integer(request, "after", default: 0)
        let limit = try integer(request, "limit", default: 1000, in: 1...10_000)
        let events = try await store.auditEvents(from: start, limit: Int(limit))
        return .json(AuditEventPage(treeSize: try await store.auditSize(), events: events))
    }

    /// `GET /v1/audit/checkpoint` (auditor, admin, customer): the signed checkpoint of the current tree.
    @Sendable func auditCheckpoint(_ request: Request, context: VaultRequestContext) async throws -> Response {
        _ = try authorize(context, [.auditor, .admin, .customer])
        let (note, checkpoint) = try await store.currentCheckpoint(now: clock())
        guard let witnessing else { return .json(CheckpointInfo(note: note, treeSize: checkpoint.size, rootHash: checkpoint.rootHash)) }
        // The witnesses are asked at once (a bounded wait; one that is down costs this answer at
        // most that), and their cosignatures follow the log's signature line.
        await witnessing.round(within: Witnessing.timeout)
        let cosignatures = try await store.cosignatures(treeSize: checkpoint.size)
        return .json(CheckpointInfo(
            note: note + cosignatures.map { $0 + "\n" }.joined(), treeSize: checkpoint.size, rootHash: checkpoint.rootHash,
            witnesses: await witnessing.status()
        ))
    }

    /// `GET /v1/audit/proof/inclusion?index=N&size=S` (auditor, admin; a customer for its own
    /// handoff's `submission.received` events only — other events of its handoff carry the
    /// generator's and admins' addresses and token ids). A customer's refusal says nothing of the
    /// tree, whatever made it.
    @Sendable func inclusionProof(_ request: Request, context: VaultRequestContext) async throws -> Response {
        let principal = try authorize(context, [.auditor, .admin, .customer])
        let index = try integer(request, "index")
        let size = try integer(request, "size", in: 1...Int64.max)
        let inclusion: InclusionProof
        if principal.role == .customer {
            let notVisible = APIProblem.notFound("no such event for this handoff").refusing(principal)
            guard let found = try? await store.inclusionProof(index: index, size: size) else { throw notVisible }
            let event = FieldDecoding.jsonObject(found.event.bytes)
            guard event?["handoffId"]?.stringValue == principal.handoffId,
                  event?["action"]?.stringValue == AuditEvent.Action.submissionReceived.rawValue
            else { throw notVisible }
            inclusion = found
        } else {
            inclusion = try await store.inclusionProof(index: index, size: size)
        }
        return .json(inclusion)
    }

    /// `GET /v1/audit/proof/consistency?from=A&to=B` (auditor, admin).
    @Sendable func consistencyProof(_ request: Request, context: VaultRequestContext) async throws -> Response {
        _ = try authorize(context, [.auditor, .admin])
        let from = try integer(request, "from")
        let to = try integer(request, "to")
        let proof = try await store.consistencyProof(from: from, to: to)
        return .json(ConsistencyProof(from: from, to: to, proof: proof))
    }
}
