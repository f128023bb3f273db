/// An API key that does not print: its description, debug description and
/// mirror all read `[redacted]`, so `print(provider)` or `dump(provider)`
/// cannot leak it into a log.
struct ProviderSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key itself, for the one header that carries it.
    let value: String

    var description: String { "[redacted]" }
    var debugDescription: String { "[redacted]" }
    var customMirror: Mirror { Mirror(self, children: [:]) }
}
