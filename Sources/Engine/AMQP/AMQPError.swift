/// A failure in talking to the broker, with everything known about it.
///
/// Carries librabbitmq's own text for library failures and the broker's reply
/// code and text when the server closed a channel or the connection, so that
/// an operator can act on the message alone.
public struct AMQPError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// The TCP or TLS connection could not be opened.
        case connectFailed = "connect_failed"
        /// TLS could not be set up, or the broker's certificate was not accepted
        /// (wrong CA, wrong host name): retrying cannot help until someone changes it.
        case tlsFailed = "tls_failed"
        /// The broker refused the credentials or the virtual host.
        case loginFailed = "login_failed"
        /// The broker closed a channel (for example 404 NOT_FOUND or 406 PRECONDITION_FAILED).
        case channelClosed = "channel_closed"
        /// The broker closed the connection (for example 320 CONNECTION_FORCED).
        case connectionClosed = "connection_closed"
        /// The socket failed, or heartbeats stopped arriving.
        case connectionLost = "connection_lost"
        /// The broker answered a publish with `basic.nack`.
        case publishNacked = "publish_nacked"
        /// A mandatory publish could not be routed to any queue.
        case publishReturned = "publish_returned"
        /// The connection is not open (never opened, or already closed).
        case notConnected = "not_connected"
        /// A call into librabbitmq failed in a way not covered above.
        case libraryError = "library_error"
        /// The caller stopped waiting (its task was cancelled, for example at the end of a
        /// shutdown's grace period); the broker may still act on what was sent.
        case cancelled = "cancelled"
    }

    /// What kind of failure this is.
    public var code: Code
    /// A sentence saying what tweetd was doing when it failed.
    public var message: String
    /// The broker's reply code, when the broker said something (404, 406, 320, 312 …).
    public var replyCode: UInt16?
    /// The broker's reply text, when the broker said something.
    public var replyText: String?
    /// librabbitmq's description of its status code, when the library failed.
    public var libraryText: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, replyCode: UInt16? = nil, replyText: String? = nil, libraryText: String? = nil) {
        self.code = code
        self.message = message
        self.replyCode = replyCode
        self.replyText = replyText
        self.libraryText = libraryText
    }

    /// One line: the message, then the broker's and the library's words.
    public var description: String {
        var text = message
        if let replyCode {
            text += " (broker: \(replyCode) \(replyText ?? ""))"
        } else if let replyText {
            text += " (broker: \(replyText))"
        }
        if let libraryText {
            text += " (librabbitmq: \(libraryText))"
        }
        return text
    }

    /// Whether the connection this error came from can still be used.
    public var connectionIsDead: Bool {
        switch code {
        case .connectFailed, .tlsFailed, .loginFailed, .connectionClosed, .connectionLost, .notConnected:
            return true
        case .channelClosed, .publishNacked, .publishReturned, .libraryError, .cancelled:
            return false
        }
    }
}
