import Engine
import Foundation
import Testing

@Suite("Providers: Anthropic")
struct ProviderAnthropicTests {
    private func anthropic(_ transport: FakeTransport, multimodal: Bool = false, baseURL: String? = nil) -> AnthropicProvider {
        var configuration = ProviderFixture.configuration(.anthropic, multimodal: multimodal)
        if let baseURL {
            configuration.baseURL = baseURL
        }
        return AnthropicProvider(
            configuration: configuration,
            apiKey: ProviderFixture.anthropicKey,
            transport: transport,
            now: ProviderFixture.clock
        )
    }

    @Test("sends a Messages request with x-api-key, the API version, max_tokens and a system prompt")
    func request() async throws {
        let transport = FakeTransport(ProviderFixture.anthropicResponse(text: ProviderFixture.answerJSON))
        _ = try await anthropic(transport).analyze(ProviderFixture.request)

        let request = try await transport.onlyRequest()
        #expect(request.method == "POST")
        #expect(request.url == "https://api.anthropic.com/v1/messages")
        #expect(request.header("x-api-key") == ProviderFixture.anthropicKey)
        #expect(request.header("anthropic-version") == "2023-06-01")
        #expect(request.header("content-type") == "application/json")
        #expect(request.header("authorization") == nil)

        let body = try JSONValue.body(of: request)
        #expect(body["model"] == "claude-3-5-haiku-latest")
        #expect(body["max_tokens"] == 256)
        #expect(body["temperature"] == 0)
        #expect(body["system"]?.stringValue?.contains("ONLY a JSON object") == true)
        #expect(body["messages"]?.arrayValue?.count == 1)
        #expect(body["messages"]?[0]?["role"] == "user")
        let blocks = try #require(body["messages"]?[0]?["content"]?.arrayValue)
        #expect(blocks.count == 1)
        #expect(blocks[0]["type"] == "text")
        #expect(blocks[0]["text"]?.stringValue?.contains(#"\"Typed throws\""#) == true)
    }

    @Test("a base_url that already ends in /v1 is not given a second one")
    func versionedBaseURL() async throws {
        let transport = FakeTransport(ProviderFixture.anthropicResponse(text: ProviderFixture.answerJSON))
        _ = try await anthropic(transport, baseURL: "https://proxy.example/anthropic/v1").analyze(ProviderFixture.request)
        #expect(try await transport.onlyRequest().url == "https://proxy.example/anthropic/v1/messages")
    }

    @Test("multimodal puts one URL image block per photo before the text")
    func multimodalRequest() async throws {
        let transport = FakeTransport(ProviderFixture.anthropicResponse(text: ProviderFixture.answerJSON))
        _ = try await anthropic(transport, multimodal: true).analyze(ProviderFixture.request)

        let body = try JSONValue.body(of: try await transport.onlyRequest())
        let blocks = try #require(body["messages"]?[0]?["content"]?.arrayValue)
        #expect(blocks.count == 3)
        #expect(blocks[0] == ["type": "image", "source": ["type": "url", "url": "https://pbs.twimg.com/media/first.jpg"]])
        #expect(blocks[1]["source"]?["url"] == "https://pbs.twimg.com/media/second.png")
        #expect(blocks[2]["type"] == "text")
    }

    @Test("the first text block is the answer; usage, model and the request budget are read")
    func answerParsed() async throws {
        let transport = FakeTransport(
            ProviderFixture.response(
                headers: [
                    ("anthropic-ratelimit-requests-limit", "1000"), ("anthropic-ratelimit-requests-remaining", "999"),
                    ("anthropic-ratelimit-requests-reset", "2015-10-21T07:28:30Z"),
                ],
                json: """
                    {"id":"msg_01","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022",
                     "content":[{"type":"thinking","thinking":"…"},{"type":"text","text":\(ProviderFixture.literal("```json\n\(ProviderFixture.answerJSON)\n```"))}],
                     "stop_reason":"end_turn","usage":{"input_tokens":200,"output_tokens":40}}
                    """
            )
        )
        let answer = try await anthropic(transport).analyze(ProviderFixture.request)
        #expect(answer.sentiment == Sentiment(label: .positive, score: 0.8))
        #expect(answer.topics == ["swift", "programming"])
        #expect(answer.usage == TokenUsage(inputTokens: 200, outputTokens: 40))
        #expect(answer.model == "claude-3-5-haiku-20241022")
        #expect(answer.serverBudget == ServerBudget(remainingRequests: 999, resetAfter: .seconds(30)))
    }

    @Test("529 overloaded_error is overloaded")
    func overloaded() async throws {
        let transport = FakeTransport(
            ProviderFixture.response(status: 529, json: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
        )
        let error = try #require(await ProviderFixture.failure(of: anthropic(transport)))
        #expect(error.kind == .overloaded(retryAfter: nil))
        #expect(error.status == 529)
        #expect(error.message == "Overloaded (overloaded_error)")
        #expect(error.description == "provider anthropic: overloaded (HTTP 529): Overloaded (overloaded_error)")
    }

    @Test("429 with retry-after waits that long, even when the reset header says otherwise")
    func rateLimitedRetryAfter() async throws {
        let transport = FakeTransport(
            ProviderFixture.response(
                status: 429,
                headers: [
                    ("retry-after", "20"), ("anthropic-ratelimit-requests-remaining", "0"),
                    ("anthropic-ratelimit-requests-reset", "2015-10-21T07:28:45Z"),
                ],
                json: """
                    {"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed your organization's rate limit of 50 requests per minute."}}
                    """
            )
        )
        let error = try #require(await ProviderFixture.failure(of: anthropic(transport)))
        #expect(error.kind == .rateLimited(retryAfter: .seconds(20)))
        #expect(error.retryAfter == .seconds(20))
        #expect(error.serverBudget == ServerBudget(remainingRequests: 0, resetAfter: .seconds(45)))
        #expect(error.description.contains("(HTTP 429, retry after 20s)"))
    }

    @Test("429 without retry-after waits until anthropic-ratelimit-requests-reset")
    func rateLimitedReset() async throws {
        let transport = FakeTransport(
            ProviderFixture.response(
                status: 429,
                headers: [
                    ("anthropic-ratelimit-requests-remaining", "0"),
                    ("anthropic-ratelimit-requests-reset", "2015-10-21T07:28:45Z"),
                ],
                json: #"{"type":"error","error":{"type":"rate_limit_error","message":"Rate limited"}}"#
            )
        )
        let error = try #require(await ProviderFixture.failure(of: anthropic(transport)))
        #expect(error.kind == .rateLimited(retryAfter: .seconds(45)))
    }

    @Test("a low credit balance or billing_error is quota_exhausted")
    func billing() async throws {
        let lowCredit = FakeTransport(
            ProviderFixture.response(
                status: 400,
                json: """
                    {"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."}}
                    """
            )
        )
        #expect(await ProviderFixture.failure(of: anthropic(lowCredit))?.kind == .quotaExhausted)

        let billing = FakeTransport(
            ProviderFixture.response(status: 402, json: #"{"type":"error","error":{"type":"billing_error","message":"Billing issue"}}"#)
        )
        #expect(await ProviderFixture.failure(of: anthropic(billing))?.kind == .quotaExhausted)
    }

    @Test("401 authentication_error is rejected without the key in the description")
    func unauthorized() async throws {
        let transport = FakeTransport(
            ProviderFixture.response(
                status: 401,
                json: #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#
            )
        )
        let error = try #require(await ProviderFixture.failure(of: anthropic(transport)))
        #expect(error.kind == .rejected)
        #expect(error.message == "invalid x-api-key (authentication_error)")
        #expect(!error.description.contains(ProviderFixture.anthropicKey))
    }

    @Test("stop_reason refusal is rejected")
    func refusal() async throws {
        let transport = FakeTransport(ProviderFixture.anthropicResponse(text: "", stopReason: "refusal"))
        let error = try #require(await ProviderFixture.failure(of: anthropic(transport)))
        #expect(error.kind == .rejected)
        #expect(error.status == 200)
    }

    @Test("an answer cut at max_tokens is output_invalid and says so")
    func truncated() async throws {
        let transport = FakeTransport(ProviderFixture.anthropicResponse(text: #"{"sentiment": "neg"#, stopReason: "max_tokens"))
        let error = try #require(await ProviderFixture.failure(of: anthropic(transport)))
        #expect(error.kind == .outputInvalid)
        #expect(error.message.contains("stop_reason max_tokens"))
    }
}
