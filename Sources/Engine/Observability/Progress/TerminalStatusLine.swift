import Foundation
import Synchronization

/// One line at the bottom of a terminal that is redrawn in place (the drain
/// progress bar), with other output (log lines) written above it.
///
/// Every write goes through one lock, so a log line never lands in the middle
/// of the bar: it clears the bar, writes the log line, and draws the bar again.
public final class TerminalStatusLine: Sendable {
    private let descriptor: Int32
    /// The status text now shown; nil once finished (or before the first `show`).
    private let current = Mutex<String?>(nil)

    /// Moves to the start of the line and erases it.
    private static let clearLine = "\r\u{1B}[2K"

    /// Creates a status line on `descriptor` (standard error by default, so standard output stays clean).
    public init(descriptor: Int32 = STDERR_FILENO) {
        self.descriptor = descriptor
    }

    /// Whether `descriptor` is a terminal, where redrawing in place works.
    public static func isTerminal(_ descriptor: Int32 = STDERR_FILENO) -> Bool {
        isatty(descriptor) == 1
    }

    /// The terminal's width in characters, when it says.
    public var columns: Int? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Replaces the status line with `line` (which must not wrap: see `columns`).
    public func show(_ line: String) {
        current.withLock { current in
            current = line
            write(Self.clearLine + line)
        }
    }

    /// Writes `text` above the status line, then draws the status line again.
    public func print(_ text: String) {
        current.withLock { current in
            guard let status = current else {
                write(text)
                return
            }
            write(Self.clearLine + text + (text.hasSuffix("\n") ? "" : "\n") + status)
        }
    }

    /// Leaves the last status on its own line; later output goes below it.
    public func finish() {
        current.withLock { current in
            if current != nil { write("\n") }
            current = nil
        }
    }

    /// A stream for a log handler whose lines go above the status line.
    public var logStream: some TextOutputStream & Sendable {
        LogStream(line: self)
    }

    private struct LogStream: TextOutputStream, Sendable {
        let line: TerminalStatusLine

        mutating func write(_ string: String) {
            line.print(string)
        }
    }

    private func write(_ text: String) {
        Array(text.utf8).withUnsafeBytes { writeAll($0, to: descriptor) }
    }
}
