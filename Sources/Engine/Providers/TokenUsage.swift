/// Tokens one provider call consumed, as the provider counted them (or, when it
/// did not say, as tweetd estimates them).
public struct TokenUsage: Sendable, Equatable {
    /// Prompt tokens (OpenAI `prompt_tokens`, Anthropic `input_tokens`,
    /// Gemini `promptTokenCount`).
    public var inputTokens: Int
    /// Answer tokens (OpenAI `completion_tokens`, Anthropic `output_tokens`,
    /// Gemini `candidatesTokenCount` plus `thoughtsTokenCount`).
    public var outputTokens: Int
    /// True when the provider reported no usage and these are tweetd's
    /// estimates: the prompt's, and the answer's text by the same rule.
    public var isEstimate: Bool

    /// Creates a usage record.
    public init(inputTokens: Int, outputTokens: Int, isEstimate: Bool = false) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.isEstimate = isEstimate
    }

    /// Input and output tokens together, what a tokens-per-minute limit counts.
    public var total: Int { inputTokens + outputTokens }
}
