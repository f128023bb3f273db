import Foundation

/// A client for Anthropic's Messages API.
///
/// Request: `POST {base_url}/v1/messages` (just `/messages` when `base_url`
/// already ends in `/v1`) with headers `x-api-key`, `anthropic-version:
/// 2023-06-01` and `content-type: application/json`, and
/// `{"model", "max_tokens", "system", "temperature": 0, "messages": [{"role":
/// "user", "content": [blocks]}]}`. With `multimodal`, one `{"type": "image",
/// "source": {"type": "url", "url": …}}` block per photo comes before the
/// text block (Anthropic advises images first); the estimate reserves 1600
/// tokens per image, about what a full-size photo costs.
///
/// Answer: the first `text` block of `content`; usage `usage.input_tokens`
/// and `usage.output_tokens`; `stop_reason` `refusal` is
/// ``ProviderError/Kind/rejected``.
public struct AnthropicProvider: LLMProvider, CustomStringConvertible {
    /// The API version sent in `anthropic-version`.
    public static let apiVersion = "2023-06-01"
    /// Estimated tokens per attached image.
    public static let tokensPerImage = 1600

    /// The provider's configuration.
    public let configuration: ProviderConfiguration
    private let exchange: ProviderExchange

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - configuration: a provider of kind `anthropic`.
    ///   - apiKey: the key sent in `x-api-key`.
    ///   - transport: what carries the HTTP requests.
    ///   - now: the wall clock, for `Retry-After` dates and reset timestamps.
    public init(
        configuration: ProviderConfiguration,
        apiKey: String?,
        transport: any HTTPTransport,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.exchange = ProviderExchange(configuration: configuration, apiKey: apiKey, transport: transport, now: now)
    }

    /// Sends `request` as a message and validates the answer.
    public func analyze(_ request: ProviderRequest) async throws(ProviderError) -> ProviderAnswer {
        let hasVersion = configuration.baseURL.hasSuffix("/v1") || configuration.baseURL.hasSuffix("/v1/")
        let prompt = ProviderPrompt(for: request, configuration: configuration)
        let reply = try await exchange.post(
            url: ProviderExchange.url(configuration.baseURL, hasVersion ? "/messages" : "/v1/messages"),
            headers: headers,
            body: body(for: prompt)
        )
        let budget = reply.serverBudget
        let stopReason = reply.object["stop_reason"]?.stringValue
        if stopReason == "refusal" {
            throw exchange.rejected("the model refused to answer (stop_reason refusal)", budget: budget)
        }
        let blocks = reply.object["content"]?.arrayValue ?? []
        let text = blocks.lazy.compactMap(\.objectValue).first { $0["type"]?.stringValue == "text" }?["text"]?.stringValue
        guard let text else {
            throw exchange.invalid("response has no text block in \"content\"", budget: budget)
        }
        let usage = reply.object["usage"]?.objectValue.flatMap { usage -> TokenUsage? in
            guard let input = ProviderExchange.count(usage["input_tokens"]),
                let output = ProviderExchange.count(usage["output_tokens"])
            else { return nil }
            return TokenUsage(inputTokens: input, outputTokens: output)
        }
        return try exchange.answer(
            from: text,
            truncatedBecause: stopReason == "max_tokens" ? "stop_reason max_tokens" : nil,
            usage: usage,
            estimatedInputTokens: prompt.estimatedInputTokens(tokensPerImage: Self.tokensPerImage),
            model: reply.object["model"]?.stringValue ?? configuration.model,
            budget: budget
        )
    }

    /// Prompt tokens (1600 per image) plus `max_output_tokens`.
    public func estimatedTokens(for request: ProviderRequest) -> Int {
        ProviderPrompt.reservation(for: request, configuration: configuration, tokensPerImage: Self.tokensPerImage)
    }

    private var headers: [(String, String)] {
        var headers = [
            ("content-type", "application/json"),
            ("accept", "application/json"),
            ("anthropic-version", Self.apiVersion),
        ]
        if let secret = exchange.secret {
            headers.append(("x-api-key", secret.value))
        }
        return headers
    }

    private func body(for prompt: ProviderPrompt) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("model", configuration.model)
        json.field("max_tokens", configuration.maxOutputTokens)
        json.field("temperature", 0)
        json.field("system", prompt.system)
        json.key("messages")
        json.beginArray()
        json.beginObject()
        json.field("role", "user")
        json.key("content")
        json.beginArray()
        for url in prompt.imageURLs {
            json.beginObject()
            json.field("type", "image")
            json.key("source")
            json.beginObject()
            json.field("type", "url")
            json.field("url", url)
            json.endObject()
            json.endObject()
        }
        json.beginObject()
        json.field("type", "text")
        json.field("text", prompt.user)
        json.endObject()
        json.endArray()
        json.endObject()
        json.endArray()
        json.endObject()
        return json.bytes
    }
}
