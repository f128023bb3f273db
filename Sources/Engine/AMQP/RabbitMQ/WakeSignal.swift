import CRabbitMQ
import Foundation

/// A file descriptor that another thread can make readable, to end a connection thread's `poll` early.
final class WakeSignal: Sendable {
    /// The eventfd, watched together with the broker socket.
    let descriptor: Int32

    /// Creates a non-blocking eventfd.
    init() {
        descriptor = tweetd_wake_fd_create()
        precondition(descriptor >= 0, "eventfd failed: errno \(errno)")
    }

    deinit {
        close(descriptor)
    }

    /// Makes the descriptor readable; cheap and safe from any thread.
    func signal() {
        var one: UInt64 = 1
        _ = write(descriptor, &one, MemoryLayout<UInt64>.size)
    }

    /// Resets the descriptor after a wake-up.
    func clear() {
        var value: UInt64 = 0
        _ = read(descriptor, &value, MemoryLayout<UInt64>.size)
    }
}
