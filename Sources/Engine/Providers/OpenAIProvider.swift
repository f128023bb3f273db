import Foundation

/// A client for OpenAI's Chat Completions API, and for any server that
/// speaks it (kind `openai-compatible`: Ollama, llama.cpp, vLLM, LM Studio…).
///
/// Request: `POST {base_url}/chat/completions` with `Authorization: Bearer
/// KEY` (left out when no key is configured, as local servers usually need
/// none) and
/// `{"model", "messages": [system, user], "max_completion_tokens" | "max_tokens",
/// "temperature": 0, "response_format": {"type": "json_object"}}`.
///
/// The two kinds differ where servers differ:
/// - `openai` sends `max_completion_tokens`, which every current OpenAI chat
///   model accepts and newer ones require in place of `max_tokens`, and
///   `response_format` JSON mode, which OpenAI enforces;
/// - `openai-compatible` sends `max_tokens`, which every compatible server
///   knows, and no `response_format`, because some servers reject
///   `json_object` (LM Studio accepts only `json_schema`); the prompt and
///   ``ModelAnswerParser``'s tolerance for fences and prose do the job instead.
///
/// With `multimodal`, the user message becomes content parts: the text, then
/// one `{"type": "image_url", "image_url": {"url": …, "detail": "low"}}` per
/// photo. Low detail costs OpenAI a flat 85 tokens per image; compatible
/// servers count images their own way, so the estimate reserves 1600.
///
/// Answer: `choices[0].message.content`; usage `usage.prompt_tokens` and
/// `usage.completion_tokens`; a `message.refusal` or `finish_reason`
/// `content_filter` is ``ProviderError/Kind/rejected``.
public struct OpenAIProvider: LLMProvider, CustomStringConvertible {
    /// Estimated tokens per attached image for OpenAI (low detail).
    public static let openAITokensPerImage = 85
    /// Estimated tokens per attached image for compatible servers.
    public static let compatibleTokensPerImage = 1600

    /// The provider's configuration.
    public let configuration: ProviderConfiguration
    private let exchange: ProviderExchange

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - configuration: a provider of kind `openai` or `openai-compatible`.
    ///   - apiKey: the key sent as a bearer token, or `nil` to send none.
    ///   - transport: what carries the HTTP requests.
    ///   - now: the wall clock, for `Retry-After` dates.
    public init(
        configuration: ProviderConfiguration,
        apiKey: String?,
        transport: any HTTPTransport,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.exchange = ProviderExchange(configuration: configuration, apiKey: apiKey, transport: transport, now: now)
    }

    private var isOpenAI: Bool { configuration.kind == .openai }

    /// Sends `request` as a chat completion and validates the answer.
    public func analyze(_ request: ProviderRequest) async throws(ProviderError) -> ProviderAnswer {
        let prompt = ProviderPrompt(for: request, configuration: configuration)
        let reply = try await exchange.post(
            url: ProviderExchange.url(configuration.baseURL, "/chat/completions"),
            headers: headers,
            body: body(for: prompt)
        )
        let budget = reply.serverBudget
        guard let choice = reply.object["choices"]?.arrayValue?.first?.objectValue else {
            throw exchange.invalid("response has no \"choices\"", budget: budget)
        }
        let finishReason = choice["finish_reason"]?.stringValue
        let message = choice["message"]?.objectValue
        if let refusal = message?["refusal"]?.stringValue, !refusal.isEmpty {
            throw exchange.rejected("the model refused: \(refusal)", budget: budget)
        }
        if finishReason == "content_filter" {
            throw exchange.rejected("the answer was withheld by the content filter", budget: budget)
        }
        guard let content = message?["content"]?.stringValue else {
            throw exchange.invalid("response has no \"choices[0].message.content\"", budget: budget)
        }
        let usage = reply.object["usage"]?.objectValue.flatMap { usage -> TokenUsage? in
            guard let input = ProviderExchange.count(usage["prompt_tokens"]),
                let output = ProviderExchange.count(usage["completion_tokens"])
            else { return nil }
            return TokenUsage(inputTokens: input, outputTokens: output)
        }
        return try exchange.answer(
            from: content,
            truncatedBecause: finishReason == "length" ? "finish_reason length" : nil,
            usage: usage,
            estimatedInputTokens: prompt.estimatedInputTokens(tokensPerImage: tokensPerImage),
            model: reply.object["model"]?.stringValue ?? configuration.model,
            budget: budget
        )
    }

    /// Prompt tokens (85 per image for OpenAI, 1600 for compatible servers)
    /// plus `max_output_tokens`.
    public func estimatedTokens(for request: ProviderRequest) -> Int {
        ProviderPrompt.reservation(for: request, configuration: configuration, tokensPerImage: tokensPerImage)
    }

    private var tokensPerImage: Int {
        isOpenAI ? Self.openAITokensPerImage : Self.compatibleTokensPerImage
    }

    private var headers: [(String, String)] {
        var headers = [("content-type", "application/json"), ("accept", "application/json")]
        if let secret = exchange.secret {
            headers.append(("authorization", "Bearer \(secret.value)"))
        }
        return headers
    }

    private func body(for prompt: ProviderPrompt) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("model", configuration.model)
        json.key("messages")
        json.beginArray()
        json.beginObject()
        json.field("role", "system")
        json.field("content", prompt.system)
        json.endObject()
        json.beginObject()
        json.field("role", "user")
        if prompt.imageURLs.isEmpty {
            // A plain string, which servers without vision support still accept.
            json.field("content", prompt.user)
        } else {
            json.key("content")
            json.beginArray()
            json.beginObject()
            json.field("type", "text")
            json.field("text", prompt.user)
            json.endObject()
            for url in prompt.imageURLs {
                json.beginObject()
                json.field("type", "image_url")
                json.key("image_url")
                json.beginObject()
                json.field("url", url)
                json.field("detail", "low")
                json.endObject()
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
        json.endArray()
        json.field(isOpenAI ? "max_completion_tokens" : "max_tokens", configuration.maxOutputTokens)
        json.field("temperature", 0)
        if isOpenAI {
            json.key("response_format")
            json.beginObject()
            json.field("type", "json_object")
            json.endObject()
        }
        json.endObject()
        return json.bytes
    }
}
