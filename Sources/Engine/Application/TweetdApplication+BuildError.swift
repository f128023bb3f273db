extension TweetdApplication {
    /// Why a tweetd could not be put together, with a message an operator can act on.
    public struct BuildError: Error, Sendable, CustomStringConvertible {
        /// Whose mistake it is, which decides `tweetd run`'s exit code.
        public enum Code: String, Sendable {
            /// The configured chain cannot be built (a provider without its API key, an unknown
            /// name): the configuration must change, so `tweetd run` calls it bad usage.
            case providerChain = "provider_chain"
            /// The `metrics.listen` address cannot be bound (in use, not a local address):
            /// a failure while starting, not a mistake in the command.
            case metricsListener = "metrics_listener"
        }

        /// What kind of failure this is.
        public var code: Code
        /// One line naming the setting at fault and what is wrong, e.g. `metrics.listen 127.0.0.1:9090: …`.
        public var message: String

        /// Creates an error.
        public init(_ code: Code, _ message: String) {
            self.code = code
            self.message = message
        }

        /// The message.
        public var description: String { message }
    }
}
