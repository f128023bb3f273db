/// Whether and how a broker connection reconnects after it fails.
///
/// The daemon's connections reconnect for ever, waiting ``initialDelay`` after a failure and
/// twice as long after each further one, up to ``maximumDelay`` (each wait jittered by ±20 %
/// so that many daemons do not reconnect in step). Command-line tools use ``never``: the
/// first failure is theirs to report.
public struct ReconnectSettings: Sendable {
    /// Whether a failed connection is opened again; false makes the first failure final
    /// (and the delays unused).
    public var enabled: Bool
    /// The wait after the first failure; a successful open resets the wait to it.
    public var initialDelay: Duration
    /// The longest wait between two attempts, however many failed.
    public var maximumDelay: Duration

    /// Settings that reconnect, by default after 200 ms, doubling up to 30 s.
    public init(initialDelay: Duration = .milliseconds(200), maximumDelay: Duration = .seconds(30)) {
        self.enabled = true
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// Fail at the first error, for command-line tools and tests: `start()` throws it, and a
    /// connection lost later is not reopened, so whatever waits on it ends with an error.
    public static let never: ReconnectSettings = {
        var settings = ReconnectSettings(initialDelay: .zero, maximumDelay: .zero)
        settings.enabled = false
        return settings
    }()
}
