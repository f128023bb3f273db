import Logging
import Synchronization

/// The process's log level, shared by every logger, so a configuration reload
/// changes it for loggers that were copied long before.
///
/// A `Logger` keeps its handler by value: setting `logLevel` on one copy does
/// not reach the others. Handlers wrapped in ``ReloadableLevelLogHandler``
/// read the level from here instead.
public final class LogLevelSwitch: Sendable {
    private let rawLevel: Atomic<UInt8>

    /// Creates a switch at `level`.
    public init(_ level: Logger.Level) {
        rawLevel = Atomic(Self.code(level))
    }

    /// The level every wrapped handler logs at now.
    public var level: Logger.Level {
        get { Self.levels[Int(rawLevel.load(ordering: .relaxed))] }
        set { rawLevel.store(Self.code(newValue), ordering: .relaxed) }
    }

    private static let levels = Logger.Level.allCases

    private static func code(_ level: Logger.Level) -> UInt8 {
        UInt8(levels.firstIndex(of: level) ?? 0)
    }
}

/// A log handler whose level is a shared ``LogLevelSwitch``; everything else is `Wrapped`'s.
public struct ReloadableLevelLogHandler<Wrapped: LogHandler>: LogHandler {
    private var wrapped: Wrapped
    private let levelSwitch: LogLevelSwitch

    /// Wraps `wrapped`; its own level is ignored from now on.
    public init(_ wrapped: Wrapped, level: LogLevelSwitch) {
        self.wrapped = wrapped
        self.levelSwitch = level
    }

    /// The shared level: setting it changes it for every logger of the process.
    public var logLevel: Logger.Level {
        get { levelSwitch.level }
        set { levelSwitch.level = newValue }
    }

    /// The wrapped handler's metadata.
    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    /// The wrapped handler's metadata provider.
    public var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    /// One entry of the wrapped handler's metadata.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    /// Hands the event to the wrapped handler.
    public func log(event: LogEvent) {
        wrapped.log(event: event)
    }
}
