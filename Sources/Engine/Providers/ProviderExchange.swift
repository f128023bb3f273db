import Foundation

/// The HTTP round trip every provider shares: send a JSON body, turn a
/// non-2xx response into a classified ``ProviderError``, parse a 2xx body,
/// read the rate-limit headers, and keep the API key out of every message.
struct ProviderExchange: Sendable {
    /// The provider's configured name, for errors.
    let provider: String
    let transport: any HTTPTransport
    let timeout: Duration
    /// Redacted from every error message.
    let secret: ProviderSecret?
    /// The wall clock, for `Retry-After` dates and RFC 3339 reset times.
    let now: @Sendable () -> Date

    /// The exchange for a configured provider: its name, its timeout, and
    /// its key (kept only to be redacted from messages).
    init(
        configuration: ProviderConfiguration,
        apiKey: String?,
        transport: any HTTPTransport,
        now: @escaping @Sendable () -> Date
    ) {
        self.provider = configuration.name
        self.transport = transport
        self.timeout = .seconds(configuration.timeoutSeconds)
        self.secret = apiKey.map(ProviderSecret.init)
        self.now = now
    }

    /// A 2xx response's JSON document and announced budget.
    struct Reply {
        var object: JSONObject
        var serverBudget: ServerBudget?
    }

    /// POSTs `body` to `url` and returns the parsed 2xx reply.
    func post(url: String, headers: [(String, String)], body: [UInt8]) async throws(ProviderError) -> Reply {
        let request = ProviderHTTPRequest(method: "POST", url: url, headers: headers, body: body)
        let response: ProviderHTTPResponse
        do {
            response = try await transport.send(request, timeout: timeout)
        } catch {
            var error = error
            error.provider = provider
            throw error.redacting(secret?.value)
        }
        let date = now()
        guard response.isSuccess else {
            throw ProviderError.classifying(response, provider: provider, now: date).redacting(secret?.value)
        }
        let budget = RateLimitHeaders.budget(in: response, now: date)
        let value: JSONValue
        do throws(JSONParseError) {
            value = try StrictJSONParser().parse(response.body)
        } catch {
            throw invalid("response is not JSON: \(error)", budget: budget)
        }
        guard let object = value.objectValue else {
            throw invalid("response is not a JSON object", budget: budget)
        }
        if let error = object["error"], !error.isNull {
            let message = ProviderErrorBody(response.body).summary(status: response.status)
            throw invalid("response is an error despite HTTP \(response.status): \(message)", budget: budget)
        }
        return Reply(object: object, serverBudget: budget)
    }

    /// An ``ProviderError/Kind/outputInvalid`` error for this provider.
    func invalid(_ message: String, budget: ServerBudget?) -> ProviderError {
        ProviderError(kind: .outputInvalid, provider: provider, message: message, serverBudget: budget)
            .redacting(secret?.value)
    }

    /// A ``ProviderError/Kind/rejected`` error for a 2xx answer the model or
    /// provider refused to give (content policy, safety block, refusal).
    func rejected(_ message: String, status: Int = 200, budget: ServerBudget?) -> ProviderError {
        ProviderError(kind: .rejected, provider: provider, status: status, message: message, serverBudget: budget)
            .redacting(secret?.value)
    }

    /// Parses the model's text into an answer, adding the provider's reason
    /// for stopping early (`length`, `MAX_TOKENS`) to an invalid-output error,
    /// since a cut-off answer is the usual cause. Without reported `usage`,
    /// the answer carries `estimatedInputTokens` and an estimate of `text`.
    func answer(
        from text: String,
        truncatedBecause stopReason: String?,
        usage: TokenUsage?,
        estimatedInputTokens: Int,
        model: String,
        budget: ServerBudget?
    ) throws(ProviderError) -> ProviderAnswer {
        do throws(ProviderError) {
            let parsed = try ModelAnswerParser.parse(text, provider: provider)
            return ProviderAnswer(
                sentiment: parsed.sentiment,
                topics: parsed.topics,
                summary: parsed.summary,
                language: parsed.language,
                usage: usage
                    ?? TokenUsage(
                        inputTokens: estimatedInputTokens,
                        outputTokens: ProviderPrompt.estimatedTokens(of: text),
                        isEstimate: true
                    ),
                model: model,
                serverBudget: budget
            )
        } catch {
            var error = error.redacting(secret?.value)
            error.serverBudget = budget
            if let stopReason {
                error.message = ProviderError.oneLine(
                    "the model stopped early (\(stopReason); raise max_output_tokens?): \(error.message)",
                    maxCharacters: ProviderError.maxMessageCharacters
                )
            }
            throw error
        }
    }

    /// `base` without trailing slashes, then `path`.
    static func url(_ base: String, _ path: String) -> String {
        var base = base
        while base.hasSuffix("/") {
            base.removeLast()
        }
        return base + path
    }

    /// A non-negative integer field as an `Int`.
    static func count(_ value: JSONValue?) -> Int? {
        guard let number = value?.integerValue, number >= 0, number <= Int64(Int.max) else { return nil }
        return Int(number)
    }
}
