import Foundation

/// A client for Google's Gemini `generateContent` API.
///
/// Request: `POST {base_url}/models/{model}:generateContent` with the key in
/// `x-goog-api-key` (never in the URL, where proxies and logs would keep it)
/// and `{"systemInstruction": {"parts": [{"text"}]}, "contents": [{"role":
/// "user", "parts": [{"text"}, …]}], "generationConfig": {"maxOutputTokens",
/// "temperature": 0, "responseMimeType": "application/json"}}`. With
/// `multimodal`, one `{"fileData": {"mimeType", "fileUri"}}` part per photo
/// follows the text (MIME type from the URL's extension, JPEG by default);
/// the estimate reserves 1600 tokens per image.
///
/// Answer: the text parts of `candidates[0].content.parts` (thought parts
/// skipped); usage `usageMetadata.promptTokenCount` and
/// `candidatesTokenCount` plus `thoughtsTokenCount` (thinking is billed as
/// output); the model from `modelVersion`. `promptFeedback.blockReason`, or
/// a candidate stopped for `SAFETY`, `PROHIBITED_CONTENT`, `BLOCKLIST`,
/// `SPII`, `RECITATION` or `IMAGE_SAFETY`, is ``ProviderError/Kind/rejected``.
public struct GeminiProvider: LLMProvider, CustomStringConvertible {
    /// Estimated tokens per attached image.
    public static let tokensPerImage = 1600
    /// `finishReason` values meaning the answer was withheld, not cut short.
    static let blockingFinishReasons: Set<String> = [
        "SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION", "IMAGE_SAFETY",
    ]

    /// The provider's configuration.
    public let configuration: ProviderConfiguration
    private let exchange: ProviderExchange

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - configuration: a provider of kind `google`.
    ///   - apiKey: the key sent in `x-goog-api-key`.
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

    /// Sends `request` to `generateContent` and validates the answer.
    public func analyze(_ request: ProviderRequest) async throws(ProviderError) -> ProviderAnswer {
        // Gemini's own model list names models `models/gemini-…`; accept that spelling too.
        var model = Substring(configuration.model)
        if model.hasPrefix("models/") {
            model = model.dropFirst("models/".count)
        }
        let prompt = ProviderPrompt(for: request, configuration: configuration)
        let reply = try await exchange.post(
            url: ProviderExchange.url(configuration.baseURL, "/models/\(model):generateContent"),
            headers: headers,
            body: body(for: prompt)
        )
        let budget = reply.serverBudget
        if let blockReason = reply.object["promptFeedback"]?.objectValue?["blockReason"]?.stringValue {
            throw exchange.rejected("the prompt was blocked (blockReason \(blockReason))", budget: budget)
        }
        guard let candidate = reply.object["candidates"]?.arrayValue?.first?.objectValue else {
            throw exchange.invalid("response has no \"candidates\"", budget: budget)
        }
        let finishReason = candidate["finishReason"]?.stringValue
        if let finishReason, Self.blockingFinishReasons.contains(finishReason) {
            throw exchange.rejected("the answer was blocked (finishReason \(finishReason))", budget: budget)
        }
        let parts = candidate["content"]?.objectValue?["parts"]?.arrayValue?.compactMap(\.objectValue) ?? []
        let texts = parts.filter { $0["thought"]?.boolValue != true }.compactMap { $0["text"]?.stringValue }
        guard !texts.isEmpty else {
            throw exchange.invalid(
                "response has no text in \"candidates[0].content.parts\""
                    + (finishReason.map { " (finishReason \($0))" } ?? ""),
                budget: budget
            )
        }
        let usage = reply.object["usageMetadata"]?.objectValue.flatMap { usage -> TokenUsage? in
            guard let input = ProviderExchange.count(usage["promptTokenCount"]) else { return nil }
            let output = (ProviderExchange.count(usage["candidatesTokenCount"]) ?? 0)
                + (ProviderExchange.count(usage["thoughtsTokenCount"]) ?? 0)
            return TokenUsage(inputTokens: input, outputTokens: output)
        }
        return try exchange.answer(
            from: texts.joined(),
            truncatedBecause: finishReason == "MAX_TOKENS" ? "finishReason MAX_TOKENS" : nil,
            usage: usage,
            estimatedInputTokens: prompt.estimatedInputTokens(tokensPerImage: Self.tokensPerImage),
            model: reply.object["modelVersion"]?.stringValue ?? configuration.model,
            budget: budget
        )
    }

    /// Prompt tokens (1600 per image) plus `max_output_tokens`.
    public func estimatedTokens(for request: ProviderRequest) -> Int {
        ProviderPrompt.reservation(for: request, configuration: configuration, tokensPerImage: Self.tokensPerImage)
    }

    private var headers: [(String, String)] {
        var headers = [("content-type", "application/json"), ("accept", "application/json")]
        if let secret = exchange.secret {
            headers.append(("x-goog-api-key", secret.value))
        }
        return headers
    }

    private func body(for prompt: ProviderPrompt) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("systemInstruction")
        json.beginObject()
        json.key("parts")
        json.beginArray()
        json.beginObject()
        json.field("text", prompt.system)
        json.endObject()
        json.endArray()
        json.endObject()
        json.key("contents")
        json.beginArray()
        json.beginObject()
        json.field("role", "user")
        json.key("parts")
        json.beginArray()
        json.beginObject()
        json.field("text", prompt.user)
        json.endObject()
        for url in prompt.imageURLs {
            json.beginObject()
            json.key("fileData")
            json.beginObject()
            json.field("mimeType", ProviderPrompt.imageMIMEType(for: url))
            json.field("fileUri", url)
            json.endObject()
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.endArray()
        json.key("generationConfig")
        json.beginObject()
        json.field("maxOutputTokens", configuration.maxOutputTokens)
        json.field("temperature", 0)
        json.field("responseMimeType", "application/json")
        json.endObject()
        json.endObject()
        return json.bytes
    }
}
