import Engine
import Foundation
import Testing

@Suite("Providers: rate-limit headers")
struct ProviderRateLimitHeadersTests {
    private let now = ProviderFixture.now  // 2015-10-21T07:28:00Z

    private func delay(_ headers: [(String, String)], retryInfo: String? = nil) -> Duration? {
        RateLimitHeaders.retryDelay(in: ProviderHTTPResponse(status: 429, headers: headers), retryInfoDelay: retryInfo, now: now)
    }

    @Test(
        "Go-style durations as OpenAI and Gemini write them",
        arguments: [
            ("1s", Duration.seconds(1)), ("0.5s", .milliseconds(500)), ("17s", .seconds(17)), ("20ms", .milliseconds(20)),
            ("6m0s", .seconds(360)), ("1h2m3.5s", .milliseconds(3_723_500)), ("250us", .microseconds(250)),
            ("0s", .zero),
        ]
    )
    func goDurations(text: String, expected: Duration) {
        #expect(RateLimitHeaders.goDuration(text) == expected)
    }

    @Test("malformed durations are ignored", arguments: ["", "5", "s", "1x", "1.2.3s", "-1s", "one second"])
    func badDurations(text: String) {
        #expect(RateLimitHeaders.goDuration(text) == nil)
    }

    @Test("retry-after as an HTTP date is taken relative to now, and a past date means now")
    func retryAfterDate() {
        #expect(delay([("Retry-After", "Wed, 21 Oct 2015 07:28:30 GMT")]) == .seconds(30))
        #expect(delay([("retry-after", "Wed, 21 Oct 2015 07:27:00 GMT")]) == .zero)
        #expect(delay([("retry-after", "Thu, 22 Oct 2015 07:28:00 GMT")]) == .seconds(86_400))
        #expect(delay([("retry-after", "tomorrow")]) == nil)
    }

    @Test("the server's delay is picked from retry-after-ms, then retry-after, then RetryInfo, then reset headers")
    func precedence() {
        let all: [(String, String)] = [
            ("retry-after-ms", "1500"), ("retry-after", "7"), ("x-ratelimit-reset-requests", "1m"),
        ]
        #expect(delay(all, retryInfo: "17s") == .milliseconds(1500))
        #expect(delay(Array(all.dropFirst()), retryInfo: "17s") == .seconds(7))
        #expect(delay(Array(all.dropFirst(2)), retryInfo: "17s") == .seconds(17))
        #expect(delay(Array(all.dropFirst(2))) == .seconds(60))
        #expect(delay([]) == nil)
    }

    @Test("of the reset headers, the exhausted counter's counts; otherwise the longest")
    func resetChoice() {
        let tokensExhausted: [(String, String)] = [
            ("x-ratelimit-remaining-requests", "10"), ("x-ratelimit-reset-requests", "6m0s"),
            ("x-ratelimit-remaining-tokens", "0"), ("x-ratelimit-reset-tokens", "2s"),
        ]
        #expect(delay(tokensExhausted) == .seconds(2))
        #expect(delay([("x-ratelimit-reset-requests", "6m0s"), ("x-ratelimit-reset-tokens", "2s")]) == .seconds(360))
        #expect(delay([
            ("anthropic-ratelimit-requests-reset", "2015-10-21T07:28:10Z"),
            ("anthropic-ratelimit-input-tokens-remaining", "0"),
            ("anthropic-ratelimit-input-tokens-reset", "2015-10-21T07:28:05.5Z"),
        ]) == .milliseconds(5500))
    }

    @Test("a delay is never longer than a day")
    func clamp() {
        #expect(delay([("retry-after", "99999999999")]) == .seconds(86_400))
        #expect(RateLimitHeaders.goDuration("9999999h") == .seconds(86_400))
    }

    @Test("the request budget is read from OpenAI and Anthropic headers, and absent otherwise")
    func budget() {
        let openAI = ProviderHTTPResponse(
            status: 200,
            headers: [("X-RateLimit-Remaining-Requests", "59"), ("X-RateLimit-Reset-Requests", "1s")]
        )
        #expect(RateLimitHeaders.budget(in: openAI, now: now) == ServerBudget(remainingRequests: 59, resetAfter: .seconds(1)))
        let anthropic = ProviderHTTPResponse(
            status: 200,
            headers: [("anthropic-ratelimit-requests-remaining", "3"), ("anthropic-ratelimit-requests-reset", "2015-10-21T07:29:00Z")]
        )
        #expect(RateLimitHeaders.budget(in: anthropic, now: now) == ServerBudget(remainingRequests: 3, resetAfter: .seconds(60)))
        #expect(RateLimitHeaders.budget(in: ProviderHTTPResponse(status: 200), now: now) == nil)
    }

    @Test("timestamps: RFC 3339 with and without fraction or offset, and IMF-fixdate")
    func timestamps() {
        #expect(RateLimitHeaders.rfc3339("2015-10-21T07:28:00Z") == now)
        #expect(RateLimitHeaders.rfc3339("2015-10-21T07:28:00.250Z") == now.addingTimeInterval(0.25))
        #expect(RateLimitHeaders.rfc3339("2015-10-21T09:28:00+02:00") == now)
        #expect(RateLimitHeaders.rfc3339("yesterday") == nil)
        #expect(RateLimitHeaders.httpDate("Wed, 21 Oct 2015 07:28:00 GMT") == now)
        #expect(RateLimitHeaders.httpDate("Wed, 21 Oct 2015 07:28:00 PST") == nil)
        #expect(RateLimitHeaders.httpDate("Wed, 21 Foo 2015 07:28:00 GMT") == nil)
    }
}
