import Engine
import Foundation
import Testing

@Suite("Providers: Google Gemini")
struct ProviderGeminiTests {
    private func gemini(_ transport: FakeTransport, multimodal: Bool = false, model: String? = nil) -> GeminiProvider {
        var configuration = ProviderFixture.configuration(.google, multimodal: multimodal)
        if let model {
            configuration.model = model
        }
        return GeminiProvider(
            configuration: configuration,
            apiKey: ProviderFixture.geminiKey,
            transport: transport,
            now: ProviderFixture.clock
        )
    }

    private static func quotaBody(quotaID: String, retryDelay: String) -> String {
        """
        {"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.",
        "status":"RESOURCE_EXHAUSTED","details":[
          {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{
            "quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests",
            "quotaId":"\(quotaID)","quotaDimensions":{"location":"global","model":"gemini-1.5-flash"},"quotaValue":"15"}]},
          {"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more about Gemini API quotas","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]},
          {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"\(retryDelay)"}]}}
        """
    }

    @Test("sends generateContent with the key in x-goog-api-key (not the URL) and JSON output asked for")
    func request() async throws {
        let transport = FakeTransport(ProviderFixture.geminiResponse(text: ProviderFixture.answerJSON))
        _ = try await gemini(transport).analyze(ProviderFixture.request)

        let request = try await transport.onlyRequest()
        #expect(request.method == "POST")
        #expect(request.url == "https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-flash:generateContent")
        #expect(!request.url.contains(ProviderFixture.geminiKey))
        #expect(request.header("x-goog-api-key") == ProviderFixture.geminiKey)
        #expect(request.header("content-type") == "application/json")

        let body = try JSONValue.body(of: request)
        #expect(body["systemInstruction"]?["parts"]?[0]?["text"]?.stringValue?.contains("ONLY a JSON object") == true)
        #expect(body["contents"]?.arrayValue?.count == 1)
        #expect(body["contents"]?[0]?["role"] == "user")
        #expect(body["contents"]?[0]?["parts"]?.arrayValue?.count == 1)
        #expect(body["contents"]?[0]?["parts"]?[0]?["text"]?.stringValue?.contains("@swiftdev") == true)
        #expect(body["generationConfig"] == ["maxOutputTokens": 256, "temperature": 0, "responseMimeType": "application/json"])
    }

    @Test("a model written as models/<name> is not doubled in the URL")
    func prefixedModel() async throws {
        let transport = FakeTransport(ProviderFixture.geminiResponse(text: ProviderFixture.answerJSON))
        _ = try await gemini(transport, model: "models/gemini-2.0-flash").analyze(ProviderFixture.request)
        #expect(try await transport.onlyRequest().url.hasSuffix("/v1beta/models/gemini-2.0-flash:generateContent"))
    }

    @Test("multimodal adds one fileData part per photo, with a MIME type from the extension")
    func multimodalRequest() async throws {
        let transport = FakeTransport(ProviderFixture.geminiResponse(text: ProviderFixture.answerJSON))
        _ = try await gemini(transport, multimodal: true).analyze(ProviderFixture.request)

        let body = try JSONValue.body(of: try await transport.onlyRequest())
        let parts = try #require(body["contents"]?[0]?["parts"]?.arrayValue)
        #expect(parts.count == 3)
        #expect(parts[0]["text"] != nil)
        #expect(parts[1] == ["fileData": ["mimeType": "image/jpeg", "fileUri": "https://pbs.twimg.com/media/first.jpg"]])
        #expect(parts[2] == ["fileData": ["mimeType": "image/png", "fileUri": "https://pbs.twimg.com/media/second.png"]])
    }

    @Test("the candidate's text is the answer; usage and modelVersion are read")
    func answerParsed() async throws {
        let transport = FakeTransport(ProviderFixture.geminiResponse(text: ProviderFixture.answerJSON))
        let answer = try await gemini(transport).analyze(ProviderFixture.request)
        #expect(answer.sentiment == Sentiment(label: .positive, score: 0.8))
        #expect(answer.summary == "A developer welcomes typed throws in the new Swift release.")
        #expect(answer.usage == TokenUsage(inputTokens: 180, outputTokens: 35))
        #expect(answer.model == "gemini-1.5-flash-002")
        #expect(answer.serverBudget == nil)
    }

    @Test("thought parts are skipped and thinking tokens count as output")
    func thinking() async throws {
        let transport = FakeTransport(
            ProviderFixture.response(
                json: """
                    {"candidates":[{"content":{"parts":[{"text":"Let me think about the tone…","thought":true},
                     {"text":\(ProviderFixture.literal(ProviderFixture.answerJSON))}],"role":"model"},"finishReason":"STOP"}],
                     "usageMetadata":{"promptTokenCount":180,"candidatesTokenCount":35,"thoughtsTokenCount":100},
                     "modelVersion":"gemini-2.5-flash"}
                    """
            )
        )
        let answer = try await gemini(transport).analyze(ProviderFixture.request)
        #expect(answer.topics == ["swift", "programming"])
        #expect(answer.usage == TokenUsage(inputTokens: 180, outputTokens: 135))
    }

    @Test("429 RESOURCE_EXHAUSTED on a per-minute quota is rate_limited for RetryInfo's 17s")
    func perMinuteQuota() async throws {
        let transport = FakeTransport(
            ProviderFixture.response(
                status: 429,
                json: Self.quotaBody(quotaID: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", retryDelay: "17s")
            )
        )
        let error = try #require(await ProviderFixture.failure(of: gemini(transport)))
        #expect(error.kind == .rateLimited(retryAfter: .seconds(17)))
        #expect(error.message == "You exceeded your current quota, please check your plan and billing details. (RESOURCE_EXHAUSTED)")
    }

    @Test("a fractional RetryInfo delay is kept")
    func fractionalRetryDelay() async throws {
        let transport = FakeTransport(
            ProviderFixture.response(
                status: 429,
                json: Self.quotaBody(quotaID: "GenerateRequestsPerMinutePerProjectPerModel", retryDelay: "0.5s")
            )
        )
        let error = try #require(await ProviderFixture.failure(of: gemini(transport)))
        #expect(error.kind == .rateLimited(retryAfter: .milliseconds(500)))
    }

    @Test("429 RESOURCE_EXHAUSTED on a daily quota is quota_exhausted")
    func dailyQuota() async throws {
        let transport = FakeTransport(
            ProviderFixture.response(
                status: 429,
                json: Self.quotaBody(quotaID: "GenerateRequestsPerDayPerProjectPerModel-FreeTier", retryDelay: "17s")
            )
        )
        let error = try #require(await ProviderFixture.failure(of: gemini(transport)))
        #expect(error.kind == .quotaExhausted)
        #expect(error.status == 429)
    }

    @Test("400 API_KEY_INVALID is rejected and the description never shows the key")
    func invalidKey() async throws {
        let transport = FakeTransport(
            ProviderFixture.response(
                status: 400,
                json: """
                    {"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT",
                    "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID",
                    "domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}},
                    {"@type":"type.googleapis.com/google.rpc.LocalizedMessage","locale":"en-US","message":"API key not valid. Please pass a valid API key."}]}}
                    """
            )
        )
        let error = try #require(await ProviderFixture.failure(of: gemini(transport)))
        #expect(error.kind == .rejected)
        #expect(error.message == "API key not valid. Please pass a valid API key. (INVALID_ARGUMENT, API_KEY_INVALID)")
        #expect(!error.description.contains(ProviderFixture.geminiKey))
    }

    @Test("a blocked prompt is rejected")
    func blockedPrompt() async throws {
        let transport = FakeTransport(
            ProviderFixture.response(
                json: """
                    {"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[{"category":"HARM_CATEGORY_HARASSMENT","probability":"HIGH"}]},
                     "usageMetadata":{"promptTokenCount":180,"totalTokenCount":180},"modelVersion":"gemini-1.5-flash-002"}
                    """
            )
        )
        let error = try #require(await ProviderFixture.failure(of: gemini(transport)))
        #expect(error.kind == .rejected)
        #expect(error.message == "the prompt was blocked (blockReason SAFETY)")
    }

    @Test("a candidate stopped for SAFETY or PROHIBITED_CONTENT is rejected", arguments: ["SAFETY", "PROHIBITED_CONTENT"])
    func blockedAnswer(reason: String) async throws {
        let transport = FakeTransport(
            ProviderFixture.response(
                json: #"{"candidates":[{"finishReason":"\#(reason)","index":0}],"modelVersion":"gemini-1.5-flash-002"}"#
            )
        )
        let error = try #require(await ProviderFixture.failure(of: gemini(transport)))
        #expect(error.kind == .rejected)
        #expect(error.message.contains(reason))
    }

    @Test("503 UNAVAILABLE saying the model is overloaded is overloaded")
    func modelOverloaded() async throws {
        let transport = FakeTransport(
            ProviderFixture.response(
                status: 503,
                json: #"{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"#
            )
        )
        let error = try #require(await ProviderFixture.failure(of: gemini(transport)))
        #expect(error.kind == .overloaded(retryAfter: nil))
    }

    @Test("an empty candidate list is output_invalid")
    func noCandidates() async throws {
        let transport = FakeTransport(ProviderFixture.response(json: #"{"candidates":[],"modelVersion":"gemini-1.5-flash-002"}"#))
        let error = try #require(await ProviderFixture.failure(of: gemini(transport)))
        #expect(error.kind == .outputInvalid)
        #expect(error.message == #"response has no "candidates""#)
    }
}
