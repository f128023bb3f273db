@testable import Engine
import Logging
import Testing

@Suite("Configuration reload: what changes while running, and the shared log level")
struct ConfigurationReloadTests {
    private func configuration(_ yaml: String) throws -> TweetdConfiguration {
        try TweetdConfiguration.load(yaml: yaml, environment: ["TEST_KEY": "k"])
    }

    private let base = """
        broker:
          url: amqp://guest:guest@127.0.0.1:5672/
        processing:
          workers: 4
          chain: [gpt]
        providers:
          gpt:
            kind: openai
            api_key_env: TEST_KEY
            rpm: 60
        """

    @Test("Limits, chain, workers and log level are applied; the broker and topology wait for a restart")
    func planSortsChanges() throws {
        let running = try configuration(base)
        let edited = try configuration(base
            .replacingOccurrences(of: "workers: 4", with: "workers: 9")
            .replacingOccurrences(of: "rpm: 60", with: "rpm: 600")
            .replacingOccurrences(of: "127.0.0.1:5672", with: "10.0.0.1:5672")
            + "\nlog:\n  level: debug\n")
        let plan = ReloadPlan(from: running, to: edited)
        #expect(plan.applied.contains("processing.workers"))
        #expect(plan.applied.contains("processing.prefetch"), "prefetch follows workers when not set")
        #expect(plan.applied.contains("providers.gpt.rpm"))
        #expect(plan.applied.contains("log.level"))
        #expect(plan.needsRestart == ["broker.url"])

        let merged = ReloadPlan.merged(running: running, new: edited)
        #expect(merged.processing.workers == 9)
        #expect(merged.providers["gpt"]?.rpm == 600)
        #expect(merged.log.level == .debug)
        #expect(merged.broker.host == "127.0.0.1", "the broker connection stays until a restart")
    }

    @Test("An unchanged file changes nothing")
    func unchangedFile() throws {
        let plan = ReloadPlan(from: try configuration(base), to: try configuration(base))
        #expect(plan.applied.isEmpty)
        #expect(plan.needsRestart.isEmpty)
    }

    @Test("A rebuilt chain keeps the limiter of a provider, even one dropped and brought back, with the new limit and its request history")
    func builderKeepsLimiters() async throws {
        let builder = ProviderChainBuilder(environment: ["TEST_KEY": "k"])
        let first = try builder.build(try configuration(base))
        let limiter = try #require(first.providers.first?.limiter)
        guard case .granted(let permit) = limiter.tryAcquire() else {
            Issue.record("the first request must be granted")
            return
        }
        limiter.complete(permit, actualTokens: nil)
        // Dropped by one reload and brought back by the next: still the same limiter.
        _ = try builder.build(try configuration(base.replacingOccurrences(of: "chain: [gpt]", with: "chain: [builtin]")))
        let second = try builder.build(try configuration(base.replacingOccurrences(of: "rpm: 60", with: "rpm: 1")))
        let kept = try #require(second.providers.first?.limiter)
        #expect(kept === limiter)
        #expect(kept.limit.requestsPerMinute == 1)
        guard case .notBefore = kept.tryAcquire() else {
            Issue.record("the request made before the reload still counts against the lower limit")
            return
        }
        #expect(second.statistics === first.statistics)
        await builder.shutdown()
    }

    @Test("A provider the new file cannot build refuses the whole reload and changes no limiter")
    func builderRefusesIncompleteFile() async throws {
        let builder = ProviderChainBuilder(environment: ["TEST_KEY": "k"])
        let first = try builder.build(try configuration(base))
        var broken = try configuration(base.replacingOccurrences(of: "rpm: 60", with: "rpm: 5"))
        broken.providers["gpt"]?.apiKeyEnv = "MISSING_KEY"
        #expect(throws: ConfigurationError.self) {
            _ = try builder.build(broken)
        }
        #expect(first.providers.first?.limiter.limit.requestsPerMinute == 60)
        await builder.shutdown()
    }

    @Test("Every copy of a logger follows the shared level")
    func sharedLogLevel() {
        let level = LogLevelSwitch(.info)
        let recorder = RecordingLogHandler()
        let logger = Logger(label: "test") { _ in ReloadableLevelLogHandler(recorder, level: level) }
        var copy = logger
        copy[metadataKey: "worker"] = "1"
        copy.debug("before")
        level.level = .debug
        copy.debug("after")
        logger.trace("not at trace")
        #expect(recorder.messages == ["after"])
        #expect(logger.logLevel == .debug)
    }
}

/// Keeps the messages it is given.
private struct RecordingLogHandler: LogHandler {
    private final class Box: @unchecked Sendable {
        // @unchecked Sendable: a single-threaded test reads and writes it.
        var messages: [String] = []
    }

    private let box = Box()
    var messages: [String] { box.messages }
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        box.messages.append(event.message.description)
    }
}

