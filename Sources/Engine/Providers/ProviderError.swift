import Foundation

/// Why a call to an LLM provider failed, in terms the pipeline acts on.
///
/// ``kind`` says what to do (cool the provider down, retry later, give up,
/// fall back to the next provider); ``status``, ``provider`` and
/// ``message`` say what happened, in one line taken from the provider's own
/// error body when it sent one. No API key ever appears in an error: messages
/// are built from status codes and response bodies, never from request
/// headers, and providers additionally redact their key from every message.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    ///
    /// Suggested dead-letter categories (`x-error-category`):
    /// ``rateLimited(retryAfter:)`` → `rate_limited`;
    /// ``overloaded(retryAfter:)``, ``transient`` and ``quotaExhausted`` →
    /// `provider_unavailable`; ``rejected`` → `provider_rejected`;
    /// ``outputInvalid`` → `output_invalid`.
    public enum Kind: Sendable, Equatable {
        /// The provider limits our rate (HTTP 429): cool the whole provider
        /// down for `retryAfter`, the server's delay when it named one.
        case rateLimited(retryAfter: Duration?)
        /// The provider is overloaded (HTTP 529, Anthropic `overloaded_error`,
        /// a 503 that carries `retry-after` or says "overloaded"): cool down
        /// like ``rateLimited(retryAfter:)``.
        case overloaded(retryAfter: Duration?)
        /// A failure that may pass on its own: 408, 409, other 5xx, timeouts,
        /// connection errors, a local server still loading its model.
        case transient
        /// The provider refused this request and will refuse it again: 400,
        /// 401, 403, 404, 413, 422 and other 4xx, content policy, context
        /// length exceeded, an invalid API key, a blocked prompt or a refusal.
        case rejected
        /// The account's quota or credit is used up (OpenAI
        /// `insufficient_quota`, a Gemini daily quota, Anthropic billing):
        /// no retry helps until someone pays or the day ends.
        case quotaExhausted
        /// The provider answered (2xx) but not with the JSON asked for.
        case outputInvalid

        /// A stable snake_case name for logs and metric labels.
        public var name: String {
            switch self {
            case .rateLimited: "rate_limited"
            case .overloaded: "overloaded"
            case .transient: "transient"
            case .rejected: "rejected"
            case .quotaExhausted: "quota_exhausted"
            case .outputInvalid: "output_invalid"
            }
        }
    }

    /// The longest ``message`` kept, in characters; provider bodies can be long.
    static let maxMessageCharacters = 400

    /// What kind of failure this is.
    public var kind: Kind
    /// The HTTP status, when a response arrived.
    public var status: Int?
    /// The provider's configured name, e.g. `openai` or `local`.
    public var provider: String
    /// One line saying what went wrong, from the provider's error body when
    /// present (at most 400 characters).
    public var message: String
    /// The request budget the server reported with this response, if any.
    public var serverBudget: ServerBudget?

    /// Creates an error; `message` is folded onto one line and shortened.
    public init(
        kind: Kind,
        provider: String,
        status: Int? = nil,
        message: String,
        serverBudget: ServerBudget? = nil
    ) {
        self.kind = kind
        self.provider = provider
        self.status = status
        self.message = Self.oneLine(message, maxCharacters: Self.maxMessageCharacters)
        self.serverBudget = serverBudget
    }

    /// The server's delay for ``Kind/rateLimited(retryAfter:)`` and
    /// ``Kind/overloaded(retryAfter:)``; `nil` otherwise or when it named none.
    public var retryAfter: Duration? {
        switch kind {
        case .rateLimited(let delay), .overloaded(let delay): delay
        default: nil
        }
    }

    /// One line: `provider openai: rate_limited (HTTP 429, retry after 1.5s): <message>`.
    public var description: String {
        var details: [String] = []
        if let status {
            details.append("HTTP \(status)")
        }
        if let retryAfter {
            details.append("retry after \(Self.format(retryAfter))")
        }
        let context = details.isEmpty ? "" : " (\(details.joined(separator: ", ")))"
        return "provider \(provider): \(kind.name)\(context): \(message)"
    }

    /// This error with every occurrence of `secret` in its message replaced,
    /// so that a key a server or library echoes back never reaches a log.
    func redacting(_ secret: String?) -> ProviderError {
        guard let secret, !secret.isEmpty, message.contains(secret) else { return self }
        var copy = self
        copy.message = message.replacingOccurrences(of: secret, with: "[redacted]")
        return copy
    }

    /// `text` with line breaks and other control characters turned into
    /// spaces, runs of spaces collapsed, and at most `maxCharacters`
    /// characters (then `…`), never cutting a character in half.
    static func oneLine(_ text: some StringProtocol, maxCharacters: Int) -> String {
        var result = ""
        var pendingSpace = false
        var count = 0
        for character in text {
            // Controls and lone format characters (bidi overrides, zero-width
            // spaces) could break or reorder a log line.
            let invisible = character.unicodeScalars.allSatisfy {
                $0.properties.generalCategory == .control || $0.properties.generalCategory == .format
            }
            if character.isWhitespace || invisible {
                pendingSpace = !result.isEmpty
                continue
            }
            if count == maxCharacters {
                result.append("…")
                break
            }
            if pendingSpace {
                result.append(" ")
                count += 1
                pendingSpace = false
                if count == maxCharacters {
                    result.append("…")
                    break
                }
            }
            result.append(character)
            count += 1
        }
        return result
    }

    /// A duration as seconds with at most three decimals: `17s`, `0.5s`, `1.25s`.
    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        let whole = milliseconds / 1000
        let fraction = milliseconds % 1000
        guard fraction != 0 else { return "\(whole)s" }
        var decimals = String(fraction + 1000).dropFirst()
        while decimals.hasSuffix("0") {
            decimals.removeLast()
        }
        return "\(whole).\(decimals)s"
    }
}
