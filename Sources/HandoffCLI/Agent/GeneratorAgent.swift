import Foundation
import HandoffDomain
import VaultClient
import VaultCrypto

/// Altoura's side as a service (`handoff generator run`): pulls each submitted handoff, builds
/// its package, acknowledges and delivers it signed, one handoff at a time, woken by the event
/// stream and polling as well.
///
/// Exactly once, after a crash at any point: the work of a round is every handoff the server
/// shows waiting for the generator (`submitted`, `released`) plus every one the state file holds
/// unfinished; each step is taken from the server's state and the state file together, and a
/// delivery is made only when the vault holds none for that submission signed by this key (a
/// delivery that committed before a crash is found there, not made again). A failing handoff is
/// retried with exponential backoff and jitter, and never holds up the others.
actor GeneratorAgent {
    let client: VaultClient
    let puller: HandoffPuller
    let builder: PackageBuilder
    let keys: GeneratorKeys
    let signing: SigningKeyPair
    let log: AgentLog
    let stop: StopRequest
    let wakeup: Wakeup
    /// How long a round waits for an event before it looks anyway.
    let pollInterval: Duration
    private var state: AgentState
    private var folder: String { puller.out }
    /// Whether the event stream is connected (else the agent polls every `fallbackInterval`).
    private var streaming = false
    /// Set while the vault cannot be asked what waits: how long until it is asked again.
    private var listingRetry: Duration?
    static let fallbackInterval: Duration = .seconds(5)

    init(
        client: VaultClient, puller: HandoffPuller, builder: PackageBuilder, keys: GeneratorKeys, signing: SigningKeyPair,
        log: AgentLog, stop: StopRequest, wakeup: Wakeup, pollInterval: Duration
    ) throws {
        self.client = client
        self.puller = puller
        self.builder = builder
        self.keys = keys
        self.signing = signing
        self.log = log
        self.stop = stop
        self.wakeup = wakeup
        self.pollInterval = pollInterval
        state = try AgentState.read(folder: puller.out)
    }

    /// Rounds until a stop is requested (or, with `once`, one round); answers how many handoffs
    /// failed in the last round.
    @discardableResult
    func run(once: Bool) async throws -> Int {
        let follower = once ? nil : Task { await self.follow() }
        defer { follower?.cancel() }
        var failures = 0
        while !stop.isRequested {
            failures = try await round()
            if once || stop.isRequested { break }
            await wakeup.wait(upTo: nextWait())
        }
        log.note("stopped")
        return failures
    }

    /// How long to wait before the next round: the poll interval (shorter while the stream is
    /// down), or less when a retry falls due first.
    private func nextWait() -> Duration {
        if let listingRetry { return listingRetry }
        var wait = streaming ? pollInterval : min(pollInterval, Self.fallbackInterval)
        let now = Date()
        for progress in state.handoffs.values where progress.step != .done {
            if let retryAt = progress.retryAt {
                wait = min(wait, .milliseconds(max(200, Int64(retryAt.timeIntervalSince(now) * 1000) + 50)))
            }
        }
        return wait
    }

    // MARK: Rounds

    /// One pass over the work: what waits on the server and what the state file holds
    /// unfinished; answers how many handoffs failed.
    private func round() async throws -> Int {
        let work: [HandoffSummary]
        do {
            work = try await pending()
        } catch let error as ClientError where [.notAuthenticated, .notAllowed].contains(error.code) {
            throw error  // the credential: every handoff would fail alike
        } catch {
            let wait = (error as? ClientError)?.retryAfter.map { Duration.seconds($0) } ?? Self.fallbackInterval
            log.note("cannot list handoffs: \(CLIError.from(error).message); trying again in \(wait.components.seconds) s")
            listingRetry = wait
            return 1
        }
        listingRetry = nil
        var failures = 0
        for handoff in work where !stop.isRequested && isDue(handoff.id) {
            do {
                try await advance(handoff)
            } catch let error as ClientError where error.code == .notAuthenticated {
                throw error
            } catch {
                failures += 1
                try failed(handoff, error)
            }
        }
        return failures
    }

    /// The handoffs to look at, oldest first: those waiting for the generator (`submitted`,
    /// `released`: two filtered lists, not every handoff the vault holds) and those the state
    /// file holds unfinished (asked one by one; one the vault no longer has is let go).
    private func pending() async throws -> [HandoffSummary] {
        var work = try await client.handoffs(state: .submitted) + client.handoffs(state: .released)
        for (id, progress) in state.handoffs where progress.step != .done && !work.contains(where: { $0.id == id }) {
            do {
                work.append(try await client.handoff(id))
            } catch let error as ClientError where error.status == 404 {
                state.handoffs[id] = nil
                try save()
            }
        }
        return work.sorted { $0.createdAt < $1.createdAt }
    }

    private func isDue(_ id: String) -> Bool {
        guard let retryAt = state.handoffs[id]?.retryAt else { return true }
        return retryAt <= Date()
    }

    /// Takes one handoff as far as it goes: pull, build and acknowledge, deliver.
    private func advance(_ handoff: HandoffSummary) async throws {
        let id = handoff.id
        if handoff.state.awaitsGenerator {
            // The latest submission (a new one replaces whatever was in hand).
            let pulled = try await puller.pull(handoff, client: client)
            var progress = AgentState.Progress(submissionId: pulled.submissionId, objectId: false, step: .pulled)
            switch pulled.content {
            case .objectId(let step10):
                progress.objectId = true
                try record(id, progress)
                log.step(handoff, "pulled submission \(pulled.submissionId): the Teams app Object ID \(step10.teamsAppObjectId) (Step 10), added to \(pulled.file)")
            case .values(_, let report):
                guard report.allowsBuilding else {
                    throw CLIError.verification("the tenant proof was refused (\(report.reason ?? "no reason")); no package is built from these values")
                }
                try record(id, progress)
                log.step(handoff, "pulled submission \(pulled.submissionId) into \(pulled.file); tenant proof: \(report.text)")
            }
        }
        guard var progress = state.handoffs[id], let submissionId = progress.submissionId, progress.step != .done else {
            if state.handoffs[id]?.step == .waiting, !handoff.state.awaitsGenerator {
                // It failed before anything was pulled, and waits no more (revoked, expired).
                state.handoffs[id] = nil
                try save()
                log.step(handoff, "no longer waits for the generator (\(handoff.state.rawValue)); dropped")
            }
            return
        }
        guard [.released, .acknowledged, .delivered].contains(handoff.state) || handoff.state.awaitsGenerator else {
            state.handoffs[id] = nil
            try save()
            log.step(handoff, "is \(handoff.state.rawValue) now; its submission \(submissionId) is dropped")
            return
        }
        if progress.objectId {
            if handoff.state.awaitsGenerator || handoff.state == .released { _ = try await client.acknowledge(handoffId: id) }
            progress.step = .done
            try record(id, progress)
            log.step(handoff, "acknowledged the Step 10 Object ID; nothing to build")
            return
        }
        let zip = try await builder.build(valuesFile: "\(folder)/\(id).json", handoffId: id)
        if progress.step == .pulled {
            // Released now (pulled in this round or an earlier one that stopped here); acknowledged
            // already when the acknowledgement committed before a crash.
            let current = try await client.handoff(id)
            guard current.state != .submitted else {
                log.step(handoff, "a newer submission arrived while building; it is pulled next")
                return
            }
            if current.state == .released { _ = try await client.acknowledge(handoffId: id) }
            progress.step = .acknowledged
            try record(id, progress)
            log.step(handoff, "built the package (\(zip.count) bytes) and acknowledged")
        }
        if stop.isRequested { return }
        let sequence: Int64
        if let delivered = try await PackageDeliverCommand.currentDelivery(client: client, handoffId: id, signingKey: signing.publicKey),
           delivered.submissionId == submissionId {
            sequence = delivered.sequence
            log.step(handoff, "delivery \(sequence) of submission \(submissionId) is in the vault already; not delivered again")
        } else {
            let source = try PulledHandoff.read(folder: folder, handoffId: id)
            guard source.submissionId == submissionId else {
                throw CLIError.dataInvalid("\(folder) holds submission \(source.submissionId) for this handoff, not \(submissionId)")
            }
            sequence = try await PackageDeliverCommand.deliver(zip, handoffId: id, source: source, keys: keys, signing: signing, client: client)
            log.step(handoff, "delivered package \(sequence), built from submission \(submissionId) (\(zip.count) bytes, SHA-256 \(Base64.encode(try SHA256.hash(zip))))")
        }
        progress.step = .done
        progress.sequence = sequence
        try record(id, progress)
    }

    /// Keeps a handoff's progress in the state file. Its failures count on while the same
    /// submission has not gone through (so a build that keeps failing waits longer each time),
    /// and are cleared once it is done or a new submission is in hand.
    private func record(_ id: String, _ progress: AgentState.Progress) throws {
        var progress = progress
        if let previous = state.handoffs[id], previous.submissionId == progress.submissionId || previous.step == .waiting, progress.step != .done {
            progress.failures = previous.failures
            progress.retryAt = previous.retryAt
            progress.lastError = previous.lastError
        } else {
            progress.failures = 0
            progress.retryAt = nil
            progress.lastError = nil
        }
        state.handoffs[id] = progress
        try save()
    }

    /// Notes a failed attempt and when the next may start: 2 s doubling to at most 10 minutes,
    /// each wait drawn between half and all of that (jitter).
    private func failed(_ handoff: HandoffSummary, _ error: any Error) throws {
        let message = CLIError.from(error).message
        var progress = state.handoffs[handoff.id] ?? AgentState.Progress(submissionId: nil, objectId: false, step: .waiting)
        progress.failures += 1
        let ceiling = min(600, 2 * pow(2, Double(min(progress.failures - 1, 20))))
        let wait = Double.random(in: ceiling / 2...ceiling)
        progress.retryAt = Date().addingTimeInterval(wait)
        progress.lastError = message
        state.handoffs[handoff.id] = progress
        try save()
        log.step(handoff, "failed (attempt \(progress.failures)): \(message); next attempt in \(Int(wait.rounded(.up))) s", failure: true)
    }

    private func save() throws { try state.write(folder: folder) }

    // MARK: The event stream

    /// Follows the event stream from the state file's cursor; each submission wakes the loop.
    /// When the stream breaks, the loop polls every `fallbackInterval` until it is back.
    private func follow() async {
        var broken = 0
        while !Task.isCancelled {
            do {
                try await client.followEvents(after: state.cursor, onConnected: { await self.connected() }) { event in await self.received(event) }
                broken = 0
            } catch {
                if streaming || broken == 0 { log.note("the event stream broke (\(CLIError.from(error).message)); polling every \(Self.fallbackInterval.components.seconds) s until it is back") }
                streaming = false
                broken += 1
            }
            try? await Task.sleep(for: .seconds(min(30, 1 << min(broken, 5))))
        }
    }

    private func connected() {
        if !streaming { log.note("following the event stream") }
        streaming = true
    }

    private func received(_ event: HandoffEvent) async {
        state.cursor = event.id
        try? save()
        if event.kind == .submitted { await wakeup.signal() }
    }
}
