import ServiceLifecycle

/// Runs witnessing rounds every `interval` beside the server until shutdown.
struct WitnessService: Service {
    let witnessing: Witnessing
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await witnessing.round()
                try? await Task.sleep(for: interval)
            }
        }
        await witnessing.shutdown()
    }
}
