import Foundation

extension ProviderError {
    /// Classifies a non-2xx response from any of the supported wire formats.
    ///
    /// The error body is read in whichever shape it comes: OpenAI and vLLM
    /// `{"error":{"message","type","code"}}` (vLLM's `code` is a number, older
    /// vLLM puts these fields at the top level), Anthropic
    /// `{"type":"error","error":{"type","message"}}`, Gemini
    /// `{"error":{"code","message","status","details":[…]}}`, llama.cpp
    /// `{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}`,
    /// Ollama `{"error":"…"}`. Then, first match wins:
    /// 1. quota used up (`insufficient_quota`, `billing_error`, "credit balance
    ///    is too low", a Gemini `QuotaFailure` on a per-day quota) →
    ///    ``Kind/quotaExhausted``;
    /// 2. 529 or `overloaded_error` → ``Kind/overloaded(retryAfter:)``;
    /// 3. 429 → ``Kind/rateLimited(retryAfter:)``;
    /// 4. 503: "Loading model" → ``Kind/transient``; with `retry-after` or
    ///    saying "overloaded" → ``Kind/overloaded(retryAfter:)``; else transient;
    /// 5. 408, 409 and 5xx → ``Kind/transient``;
    /// 6. anything else (other 4xx, an unexpected 1xx/3xx) → ``Kind/rejected``.
    ///
    /// The delay comes from ``RateLimitHeaders/retryDelay(in:retryInfoDelay:now:)``.
    static func classifying(_ response: ProviderHTTPResponse, provider: String, now: Date) -> ProviderError {
        let body = ProviderErrorBody(response.body)
        let lowercasedMessage = body.message?.lowercased() ?? ""
        let delay = { RateLimitHeaders.retryDelay(in: response, retryInfoDelay: body.retryDelay, now: now) }
        let kind: Kind
        if body.has("insufficient_quota") || body.has("billing_error")
            || lowercasedMessage.contains("credit balance is too low") || body.hasDailyQuotaViolation
        {
            kind = .quotaExhausted
        } else if response.status == 529 || body.has("overloaded_error") {
            kind = .overloaded(retryAfter: delay())
        } else if response.status == 429 {
            kind = .rateLimited(retryAfter: delay())
        } else if response.status == 503 {
            if lowercasedMessage.contains("loading model") {
                kind = .transient
            } else if response.header("retry-after") != nil || lowercasedMessage.contains("overloaded") {
                kind = .overloaded(retryAfter: delay())
            } else {
                kind = .transient
            }
        } else if response.status == 408 || response.status == 409 || (500...599).contains(response.status) {
            kind = .transient
        } else {
            kind = .rejected
        }
        return ProviderError(
            kind: kind,
            provider: provider,
            status: response.status,
            message: body.summary(status: response.status),
            serverBudget: RateLimitHeaders.budget(in: response, now: now)
        )
    }
}
