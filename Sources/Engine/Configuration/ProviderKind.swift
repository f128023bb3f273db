/// The wire protocol a provider speaks.
public enum ProviderKind: String, Sendable, Equatable, CaseIterable {
    /// OpenAI's Chat Completions API.
    case openai
    /// Anthropic's Messages API.
    case anthropic
    /// Google's Gemini `generateContent` API.
    case google
    /// Any server speaking OpenAI's Chat Completions API: Ollama, llama.cpp,
    /// vLLM, LM Studio…
    case openaiCompatible = "openai-compatible"
    /// The network-free content analysis built into tweetd.
    case builtin
}

extension ProviderKind {
    /// The values a provider of this kind starts from when the configuration
    /// does not set them.
    var defaults: (baseURL: String, model: String, apiKeyEnv: String?, rpm: Int) {
        switch self {
        case .openai: ("https://api.openai.com/v1", "gpt-4o-mini", "OPENAI_API_KEY", 3500)
        case .anthropic: ("https://api.anthropic.com", "claude-3-5-haiku-latest", "ANTHROPIC_API_KEY", 1000)
        case .google: ("https://generativelanguage.googleapis.com/v1beta", "gemini-1.5-flash", "GEMINI_API_KEY", 300)
        case .openaiCompatible: ("http://127.0.0.1:11434/v1", "llama3.2", nil, 600)
        case .builtin: ("", "builtin", nil, 1_000_000)
        }
    }
}
