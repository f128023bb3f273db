/// The `log` section: how much tweetd logs and in which shape.
public struct LogConfiguration: Sendable, Equatable {
    /// The lowest level written. Default `info`.
    ///
    /// YAML `log.level`, environment `TWEETD_LOG_LEVEL`.
    public var level: Level
    /// The line format. Default `text`.
    ///
    /// YAML `log.format`, environment `TWEETD_LOG_FORMAT`.
    public var format: Format

    /// The defaults: `info`, `text`.
    public init() {
        self.level = .info
        self.format = .text
    }

    /// A log level; the raw values are swift-log's `Logger.Level` raw values,
    /// so `Logger.Level(rawValue: level.rawValue)` converts.
    public enum Level: String, Sendable, Equatable, CaseIterable {
        /// Everything, including per-frame detail.
        case trace
        /// Detail useful when chasing a problem.
        case debug
        /// Normal operation: start-up, connections, shutdown.
        case info
        /// Events worth noticing that need no action.
        case notice
        /// Something went wrong but tweetd carries on.
        case warning
        /// An operation failed.
        case error
        /// tweetd cannot carry on.
        case critical
    }

    /// A log line format.
    public enum Format: String, Sendable, Equatable, CaseIterable {
        /// Human-readable lines: time, level, message, `key=value` metadata.
        case text
        /// One JSON object per line, for log collectors.
        case json
    }
}
