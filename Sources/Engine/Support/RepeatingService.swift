import ServiceLifecycle

/// Runs `tick` at once, then every `interval`, until graceful shutdown or cancellation:
/// the loop behind `tweetd status --watch` and the drain progress display.
public struct RepeatingService: Service {
    private let interval: Duration
    private let tick: @Sendable () async throws -> Void

    /// Creates the service; an error thrown by `tick` ends it (and the service group with it).
    public init(interval: Duration, tick: @escaping @Sendable () async throws -> Void) {
        self.interval = interval
        self.tick = tick
    }

    /// Ticks until graceful shutdown; a shutdown during the wait ends it without another tick.
    public func run() async throws {
        let interval = self.interval
        while true {
            try await tick()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
        }
    }
}
