/// A client for one configured LLM provider: it turns a tweet into a
/// provider request, sends it, and validates the answer.
///
/// Implementations hold no mutable state and are safe to share between
/// workers; rate limiting, cooldowns and retries are the caller's job,
/// driven by ``estimatedTokens(for:)`` and the ``ProviderError`` thrown.
/// Make one with ``ProviderFactory/make(configuration:environment:transport:now:)``.
public protocol LLMProvider: Sendable {
    /// The provider's configuration (name, kind, model, limits…).
    var configuration: ProviderConfiguration { get }

    /// Asks the provider to analyse one tweet.
    ///
    /// - Throws: ``ProviderError`` describing an HTTP failure, a refusal, or
    ///   an answer that is not the JSON asked for.
    func analyze(_ request: ProviderRequest) async throws(ProviderError) -> ProviderAnswer

    /// Tokens to reserve against `tpm` before sending `request`: the input
    /// estimate of ``ProviderPrompt/estimatedInputTokens(tokensPerImage:)``
    /// plus `max_output_tokens`, so the reservation never falls short of a
    /// full-length answer.
    func estimatedTokens(for request: ProviderRequest) -> Int
}

extension LLMProvider {
    /// The provider's configured name, e.g. `openai` or `local`.
    public var name: String { configuration.name }

    /// `openai provider "openai" (gpt-4o-mini at https://api.openai.com/v1)`:
    /// what a log may say about a provider; never its key, nor credentials
    /// written into its base URL.
    public var description: String {
        "\(configuration.kind.rawValue) provider \"\(configuration.name)\" (\(configuration.model) at \(configuration.redactedBaseURL))"
    }
}
