import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Reads the configuration again on SIGHUP and applies what can change while
/// running: the log level, the number of workers and the prefetch, the
/// provider chain and every provider's limits (see ``ReloadPlan``).
///
/// Nothing in flight is cut: requests already sent finish on the old chain,
/// messages waiting for a limiter move to the new one, surplus workers stop
/// after their current message. A file that does not load or validate is
/// rejected with one log line and the running configuration stays.
public final class ConfigurationReloader: Service {
    private let running: Mutex<TweetdConfiguration>
    private let load: @Sendable () throws(ConfigurationError) -> TweetdConfiguration
    private let pipeline: TweetPipeline
    private let chainBuilder: ProviderChainBuilder
    private let logLevel: LogLevelSwitch
    private let logger: Logger

    /// Creates a reloader for the daemon started with `running`; `load` reads the
    /// file again with the same environment and command-line overrides.
    public init(
        running: TweetdConfiguration,
        load: @escaping @Sendable () throws(ConfigurationError) -> TweetdConfiguration,
        pipeline: TweetPipeline,
        chainBuilder: ProviderChainBuilder,
        logLevel: LogLevelSwitch,
        logger: Logger
    ) {
        self.running = Mutex(running)
        self.load = load
        self.pipeline = pipeline
        self.chainBuilder = chainBuilder
        self.logLevel = logLevel
        self.logger = logger
    }

    /// Reloads on every SIGHUP until graceful shutdown.
    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            reload()
        }
    }

    /// Reads the configuration again and applies it, or keeps the running one when it is refused.
    public func reload() {
        let current = running.withLock { $0 }
        let loaded: TweetdConfiguration
        let new: TweetdConfiguration
        let chain: ProviderChain<ContinuousClock>
        do throws(ConfigurationError) {
            loaded = try load()
            new = ReloadPlan.merged(running: current, new: loaded)
            // Built before anything changes, so a provider without its key refuses the whole file.
            chain = try chainBuilder.build(new)
        } catch {
            logger.error("configuration reload rejected; the running configuration stays", metadata: [
                LogKey.error: .string(error.description),
            ])
            return
        }
        let plan = ReloadPlan(from: current, to: loaded)
        logLevel.level = Logger.Level(rawValue: new.log.level.rawValue) ?? logLevel.level
        pipeline.replaceChain(chain)
        pipeline.resize(workers: new.processing.workers, prefetch: new.processing.prefetch)
        running.withLock { $0 = new }
        logger.notice("configuration reloaded", metadata: [
            "changed": .string(plan.applied.isEmpty ? "(nothing)" : plan.applied.joined(separator: ",")),
            "workers": .stringConvertible(new.processing.workers),
            "prefetch": .stringConvertible(new.processing.prefetch),
            "chain": .string(new.processing.chain.joined(separator: ",")),
        ])
        if !plan.needsRestart.isEmpty {
            // ReloadPlan compares the file with the running settings, so these stay listed until a restart.
            logger.warning("changed settings that take effect only after a restart", metadata: [
                "settings": .string(plan.needsRestart.joined(separator: ",")),
            ])
        }
    }
}
