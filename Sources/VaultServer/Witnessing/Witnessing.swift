import AsyncHTTPClient
import Foundation
import HandoffDomain
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import VaultStore

/// Sends the log's newest checkpoint to every configured witness with C2SP tlog-witness
/// `add-checkpoint` (the old size the witness holds, the consistency proof from it, the signed
/// checkpoint) and keeps the cosignatures that verify under the witness's key. It runs beside
/// the server, never in a write's path: a witness that is down costs a write nothing.
///
/// A witness that answers 409 with its size is asked again from that size; a 409 for the same
/// size, a refused consistency proof (422), or a witness that holds a larger tree than this log
/// are what a rolled-back or forked log looks like, and are logged as errors and shown in
/// `GET /v1/audit/checkpoint`.
package actor Witnessing {
    let endpoints: [WitnessEndpoint]
    let store: any HandoffStore
    let metrics: VaultMetrics
    let logger: Logger
    private let http: HTTPClient
    /// What is known of each witness, as `GET /v1/audit/checkpoint` shows it.
    private var statuses: [String: CheckpointInfo.Witness]
    /// The size a witness said it holds (a 409), to start from next time.
    private var heldSizes: [String: Int64] = [:]

    /// The longest a witness may take to answer.
    static let timeout: Duration = .seconds(3)

    package init(endpoints: [WitnessEndpoint], outboundCAFile: String?, store: any HandoffStore, metrics: VaultMetrics, logger: Logger) throws {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: try OutboundTLS.configuration(caFile: outboundCAFile), redirectConfiguration: .disallow, timeout: .init(connect: .seconds(3), read: .seconds(3))
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.endpoints = endpoints
        self.store = store
        self.metrics = metrics
        self.logger = logger
        statuses = Dictionary(uniqueKeysWithValues: endpoints.map { ($0.name, CheckpointInfo.Witness(name: $0.name, cosignedSize: nil, problem: nil)) })
    }

    /// Closes the client's connections; call once, at the end.
    package func shutdown() async {
        try? await http.shutdown()
    }

    /// Each witness's state, in configuration order.
    package func status() -> [CheckpointInfo.Witness] {
        endpoints.compactMap { statuses[$0.name] }
    }

    /// One round, at most `limit` long: the newest checkpoint to every witness that has not
    /// cosigned it yet.
    package func round(within limit: Duration = timeout) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.round() }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }

    private func round() async {
        guard let latest = try? await store.latestCheckpoint(), let cosigned = try? await store.cosignedSizes() else { return }
        for (name, size) in cosigned where statuses[name] != nil && statuses[name]?.cosignedSize == nil {
            statuses[name]?.cosignedSize = size
            metrics.witnessCosigned(name, size: size)
        }
        await withTaskGroup(of: Void.self) { group in
            for endpoint in endpoints where (cosigned[endpoint.name] ?? -1) < latest.checkpoint.size {
                group.addTask { await self.submit(latest, to: endpoint, cosigned: cosigned[endpoint.name]) }
            }
        }
    }

    private func submit(_ latest: (note: String, checkpoint: AuditCheckpoint), to endpoint: WitnessEndpoint, cosigned: Int64?) async {
        let size = latest.checkpoint.size
        var old = heldSizes[endpoint.name] ?? cosigned ?? 0
        for _ in 0..<3 {
            guard old <= size else {
                return fork(endpoint, "holds a checkpoint of \(old) events of this log, more than its newest (\(size)): the log was rolled back, or shows another history")
            }
            let proof: [[UInt8]]
            do {
                proof = old == 0 || old == size ? [] : try await store.consistencyProof(from: old, to: size)
            } catch {
                return problem(endpoint, "no consistency proof from \(old) to \(size) events could be made")
            }
            var request = HTTPClientRequest(url: endpoint.addCheckpointURL)
            request.method = .POST
            request.body = .bytes(ByteBuffer(bytes: AddCheckpoint.body(oldSize: old, proof: proof, checkpointNote: latest.note)))
            let status: UInt
            let text: String
            let contentType: String
            do {
                let response = try await http.execute(request, timeout: .seconds(3))
                status = response.status.code
                contentType = response.headers.first(name: "Content-Type") ?? ""
                text = String(buffer: try await response.body.collect(upTo: 64 * 1024))
            } catch {
                return problem(endpoint, "could not be reached")
            }
            switch status {
            case 200:
                guard let cosignature = Cosignature.valid(in: text, checkpointText: latest.checkpoint.text, witnesses: [endpoint.key]).first else {
                    return problem(endpoint, "answered without a valid cosignature by its key")
                }
                do {
                    try await store.addCosignature(witness: endpoint.name, treeSize: size, line: cosignature.line, now: Date())
                } catch {
                    return problem(endpoint, "cosigned, but the cosignature could not be stored")
                }
                heldSizes[endpoint.name] = size
                statuses[endpoint.name] = CheckpointInfo.Witness(name: endpoint.name, cosignedSize: size, problem: nil)
                metrics.witnessCosigned(endpoint.name, size: size)
                return
            case 409:
                guard contentType.hasPrefix("text/x.tlog.size"), let held = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)), held >= 0 else {
                    return problem(endpoint, "answered 409 without the size it holds")
                }
                guard held != old else {
                    return fork(endpoint, "cosigned another root for \(old) events than this log's: the vault has shown two histories (a fork)")
                }
                heldSizes[endpoint.name] = held
                old = held
            case 422:
                return fork(endpoint, "refused the consistency proof from \(old) to \(size) events: this log is not the one it cosigned at \(old) events (rolled back, or forked)")
            case 403:
                return problem(endpoint, "does not accept this log's signature (403): give the witness this vault's key")
            case 404:
                return problem(endpoint, "does not know this log (404): add its origin and key to the witness")
            default:
                return problem(endpoint, "answered \(status)")
            }
        }
        problem(endpoint, "kept answering that it holds another size")
    }

    private func problem(_ endpoint: WitnessEndpoint, _ reason: String) {
        statuses[endpoint.name]?.problem = "\(endpoint.name) \(reason)"
        metrics.witnessProblem(endpoint.name)
        logger.warning("a witness did not cosign the newest checkpoint", metadata: ["witness": .string(endpoint.name), "reason": .string(reason)])
    }

    private func fork(_ endpoint: WitnessEndpoint, _ reason: String) {
        statuses[endpoint.name]?.problem = "\(endpoint.name) \(reason)"
        metrics.witnessProblem(endpoint.name)
        logger.error("a witness refuses this log's history", metadata: ["witness": .string(endpoint.name), "reason": .string(reason)])
    }
}
