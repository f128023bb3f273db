import Logging
import ServiceLifecycle

extension ServiceGroup {
    /// Runs `services` until the first one returns, or until SIGTERM or SIGINT asks
    /// them to finish gracefully: the tools stop cleanly and exit 0 on Ctrl-C.
    static func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
    }
}
