import Foundation

/// Reads the delays and budgets LLM providers announce in their responses.
///
/// Every delay is clamped to 0…24 hours: a date in the past means "now", and
/// a nonsensical header can never park a provider for longer than a day.
public enum RateLimitHeaders {
    /// The longest delay any header can ask for.
    public static let maxDelay = Duration.seconds(86_400)

    static let remainingRequestsHeaders = ["x-ratelimit-remaining-requests", "anthropic-ratelimit-requests-remaining"]
    static let remainingTokensHeaders = [
        "x-ratelimit-remaining-tokens", "anthropic-ratelimit-tokens-remaining",
        "anthropic-ratelimit-input-tokens-remaining", "anthropic-ratelimit-output-tokens-remaining",
    ]
    static let resetRequestsHeaders = ["x-ratelimit-reset-requests", "anthropic-ratelimit-requests-reset"]
    static let resetTokensHeaders = [
        "x-ratelimit-reset-tokens", "anthropic-ratelimit-tokens-reset",
        "anthropic-ratelimit-input-tokens-reset", "anthropic-ratelimit-output-tokens-reset",
    ]

    /// How long the server asked us to wait, or `nil` when it did not say.
    ///
    /// The first source present wins: `retry-after-ms` (milliseconds),
    /// `retry-after` (seconds, or an HTTP date taken relative to `now`),
    /// Gemini's `RetryInfo.retryDelay` (`retryInfoDelay`, e.g. `"17s"`), then
    /// the reset headers (`x-ratelimit-reset-*` as Go-style durations such as
    /// `6m0s`, `anthropic-ratelimit-*-reset` as RFC 3339 timestamps). Of the
    /// reset headers, those of an exhausted counter (remaining `0`) count; when
    /// none is known to be exhausted, the longest reset counts.
    public static func retryDelay(
        in response: ProviderHTTPResponse,
        retryInfoDelay: String? = nil,
        now: Date
    ) -> Duration? {
        if let value = response.header("retry-after-ms"), let milliseconds = decimal(value) {
            return clamped(seconds: milliseconds / 1000)
        }
        if let value = response.header("retry-after"), let delay = retryAfter(value, now: now) {
            return delay
        }
        if let retryInfoDelay, let delay = goDuration(retryInfoDelay) {
            return delay
        }
        return resetDelay(in: response, now: now)
    }

    /// The request budget announced by the response's headers, or `nil` when
    /// it carries none.
    public static func budget(in response: ProviderHTTPResponse, now: Date) -> ServerBudget? {
        let remaining = first(remainingRequestsHeaders, in: response).flatMap(count)
        let resetAfter = first(resetRequestsHeaders, in: response).flatMap { Self.reset($0, now: now) }
        guard remaining != nil || resetAfter != nil else { return nil }
        return ServerBudget(remainingRequests: remaining, resetAfter: resetAfter)
    }

    /// A `Retry-After` value: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
    public static func retryAfter(_ value: String, now: Date) -> Duration? {
        if let seconds = decimal(value) {
            return clamped(seconds: seconds)
        }
        if let date = httpDate(value) {
            return clamped(seconds: date.timeIntervalSince(now))
        }
        return nil
    }

    /// A Go-style duration as OpenAI's reset headers and Gemini's
    /// `retryDelay` write them: `1s`, `0.5s`, `20ms`, `6m0s`, `1h2m3.5s`
    /// (units `h`, `m`, `s`, `ms`, `us`/`µs`, `ns`).
    public static func goDuration(_ value: String) -> Duration? {
        var rest = Substring(value.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        var seconds = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let amount = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "h": scale = 3600
            case "m": scale = 60
            case "s": scale = 1
            case "ms": scale = 1e-3
            case "us", "µs", "μs": scale = 1e-6
            case "ns": scale = 1e-9
            default: return nil
            }
            seconds += amount * scale
        }
        return clamped(seconds: seconds)
    }

    /// An HTTP date in the preferred IMF-fixdate form, `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func httpDate(_ value: String) -> Date? {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let fields = value.split(separator: " ")
        guard fields.count == 6, fields[0].hasSuffix(","), fields[5] == "GMT",
            fields[1].count == 2, fields[1].allSatisfy(\.isASCII), let day = Int(fields[1]),
            let monthIndex = months.firstIndex(of: String(fields[2])),
            fields[3].count == 4, fields[3].allSatisfy(\.isASCII), let year = Int(fields[3]),
            fields[4].count == 8, fields[4].allSatisfy(\.isASCII)
        else { return nil }
        // Re-spelled as RFC 3339 so that Foundation's calendar arithmetic does the rest.
        let month = monthIndex + 1
        let iso = "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)T\(fields[4])Z"
        return rfc3339(iso)
    }

    /// An RFC 3339 timestamp as Anthropic's reset headers write them,
    /// `2025-01-02T03:04:05Z`, with or without fractional seconds.
    public static func rfc3339(_ value: String) -> Date? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        let style = Date.ISO8601FormatStyle()
        if let date = try? style.parse(trimmed) {
            return date
        }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(trimmed)
    }

    // MARK: Internals

    /// The delay until the relevant counter resets, as described at ``retryDelay(in:retryInfoDelay:now:)``.
    static func resetDelay(in response: ProviderHTTPResponse, now: Date) -> Duration? {
        let requestsReset = first(resetRequestsHeaders, in: response).flatMap { Self.reset($0, now: now) }
        let tokenResets = resetTokensHeaders.compactMap { response.header($0) }.compactMap { Self.reset($0, now: now) }
        let tokensReset = tokenResets.max()
        let requestsExhausted = first(remainingRequestsHeaders, in: response).flatMap(count) == 0
        let tokensExhausted = remainingTokensHeaders.compactMap { response.header($0) }.compactMap(count).contains(0)
        let exhausted = [requestsExhausted ? requestsReset : nil, tokensExhausted ? tokensReset : nil].compactMap { $0 }
        if let delay = exhausted.max() {
            return delay
        }
        return [requestsReset, tokensReset].compactMap { $0 }.max()
    }

    /// A reset header's value: a Go-style duration (OpenAI), an RFC 3339
    /// timestamp (Anthropic) or plain seconds (some compatible servers).
    static func reset(_ value: String, now: Date) -> Duration? {
        if let seconds = decimal(value) {
            return clamped(seconds: seconds)
        }
        if let delay = goDuration(value) {
            return delay
        }
        if let date = rfc3339(value) {
            return clamped(seconds: date.timeIntervalSince(now))
        }
        return nil
    }

    private static func first(_ names: [String], in response: ProviderHTTPResponse) -> String? {
        names.lazy.compactMap { response.header($0) }.first
    }

    /// A non-negative count such as `59`.
    private static func count(_ value: String) -> Int? {
        Int(value.trimmingCharacters(in: .whitespaces)).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// A plain non-negative decimal number such as `20` or `1.5`, nothing else.
    private static func decimal(_ value: String) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 32, trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else {
            return nil
        }
        return Double(trimmed)
    }

    private static func clamped(seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        guard seconds < 86_400 else { return maxDelay }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
