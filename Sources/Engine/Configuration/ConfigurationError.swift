/// A configuration problem that stops start-up.
///
/// It names the setting at fault the way the operator wrote it — a dotted
/// YAML path (`processing.workers`, `topology.queues[1].name`), an
/// environment variable (`TWEETD_PROCESSING_WORKERS`), a command-line
/// override key, or the configuration file's path for a file that cannot be
/// read or parsed — and says what is wrong in words a person can act on.
/// The message never contains a secret.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The setting, variable or file at fault, e.g. `processing.workers`.
    public let key: String
    /// What is wrong with it, e.g. `must be between 1 and 4096, got 0`.
    public let problem: String

    /// Creates an error naming `key` and describing `problem`.
    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }

    /// One line: `configuration: <key>: <problem>`.
    public var description: String {
        let line = "configuration: \(key): \(problem)"
        // A YAML parser message can carry a line break; the contract is one line.
        return line.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
