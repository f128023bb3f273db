import ArgumentParser
import Engine
import Foundation
import Logging

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (YAML).")
    var config: String?

    @Option(
        name: .long,
        help: """
            Broker URL (amqp:// or amqps://); overrides broker.url and broker.urls. Give it once per node of a \
            cluster. Every user can read a command line with ps: give the password with broker.password_file, \
            broker.password_env or $TWEETD_BROKER_URL instead.
            """
    )
    var brokerURL: [String] = []

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    /// The configuration file to read: the flag, $TWEETD_CONFIG, or the installed default when present.
    func configurationPath(environment: [String: String]) -> String? {
        if let config { return config }
        if let path = environment["TWEETD_CONFIG"], !path.isEmpty { return path }
        let installed = "/etc/tweetd/tweetd.yaml"
        return FileManager.default.fileExists(atPath: installed) ? installed : nil
    }

    /// Logs one warning when `--broker-url` holds a password, never the password itself.
    func warnAboutSecretsOnCommandLine(_ logger: Logger) {
        // One warning is enough: the nodes of a cluster share the password.
        if let warning = brokerURL.lazy.compactMap(SecretExposure.warning(commandLineBrokerURL:)).first {
            logger.warning("secret on the command line", metadata: [LogKey.error: .string(warning)])
        }
    }

    /// Loads and validates the configuration; a problem is a usage failure naming the key.
    func loadConfiguration(overrides extra: [String: String] = [:]) throws -> TweetdConfiguration {
        do {
            return try configurationLoader(overrides: extra)()
        } catch {
            throw CommandFailure.usage(error.description)
        }
    }

    /// Reads the same file with the same environment and overrides each time it is called (start, reload):
    /// command-line flags keep winning over the file.
    func configurationLoader(
        overrides extra: [String: String] = [:]
    ) -> @Sendable () throws(ConfigurationError) -> TweetdConfiguration {
        let environment = ProcessInfo.processInfo.environment
        var overrides = extra
        // Several nodes go in as one comma-separated list (a comma inside a URL must be percent-encoded).
        let commaInAList = brokerURL.count > 1 && brokerURL.contains { $0.contains(",") }
        if brokerURL.count == 1 {
            overrides["broker.url"] = brokerURL[0]
        } else if !brokerURL.isEmpty {
            overrides["broker.urls"] = brokerURL.joined(separator: ",")
        }
        if let logLevel { overrides["log.level"] = logLevel }
        let path = configurationPath(environment: environment)
        return { [overrides] () throws(ConfigurationError) in
            if commaInAList {
                throw ConfigurationError(key: "--broker-url", problem: "with several nodes, write a comma inside a URL as %2C")
            }
            return try TweetdConfiguration.load(file: path, environment: environment, overrides: overrides)
        }
    }
}

/// Logging set-up; only the executable bootstraps the logging system.
enum LoggingBootstrap {
    /// Sends logs to standard error at the configured level; with a `statusLine`
    /// (the drain progress bar) log lines go above it instead of through it.
    /// Every handler reads its level from the returned switch, so a reload can change it.
    static func bootstrap(
        _ configuration: LogConfiguration, statusLine: TerminalStatusLine? = nil
    ) -> (logger: Logger, level: LogLevelSwitch) {
        let levelSwitch = LogLevelSwitch(Logger.Level(rawValue: configuration.level.rawValue) ?? .info)
        LoggingSystem.bootstrap { label in
            switch configuration.format {
            case .json:
                // One JSON object per line; a progress bar, if any, still redraws below them.
                let handler = statusLine.map { line in
                    JSONLogHandler(label: label) { bytes in line.print(String(decoding: bytes, as: UTF8.self)) }
                } ?? JSONLogHandler.standardError(label: label)
                return ReloadableLevelLogHandler(handler, level: levelSwitch)
            case .text:
                let handler = statusLine.map { StreamLogHandler(label: label, stream: $0.logStream) } ?? StreamLogHandler.standardError(label: label)
                return ReloadableLevelLogHandler(handler, level: levelSwitch)
            }
        }
        return (Logger(label: "tweetd"), levelSwitch)
    }
}
