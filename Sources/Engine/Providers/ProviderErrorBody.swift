/// The parts of a provider's error body that classification and messages use.
struct ProviderErrorBody {
    /// The human-readable message.
    var message: String?
    /// Machine-readable identifiers: OpenAI `type`/`code`, Anthropic `error.type`,
    /// Gemini `status` and `ErrorInfo.reason`.
    var identifiers: [String] = []
    /// Gemini `RetryInfo.retryDelay`, e.g. `17s`.
    var retryDelay: String?
    /// Gemini `QuotaFailure` violations' `quotaId` and `quotaMetric`.
    var quotaNames: [String] = []
    /// The start of a body that is not a recognised error document.
    var rawText: String?

    init(_ bytes: [UInt8]) {
        guard var value = try? StrictJSONParser(maxDepth: 32).parse(bytes) else {
            rawText = bytes.isEmpty ? nil : String(decoding: bytes.prefix(1024), as: UTF8.self)
            return
        }
        // Some Gemini endpoints wrap the error document in a one-element array.
        if let first = value.arrayValue?.first {
            value = first
        }
        guard let document = value.objectValue else {
            rawText = String(decoding: bytes.prefix(1024), as: UTF8.self)
            return
        }
        let error: JSONObject
        switch document["error"] {
        case .object(let nested)?:
            error = nested
        case .string(let text)?:
            message = text
            return
        default:
            error = document
        }
        message = error["message"]?.stringValue ?? document["message"]?.stringValue ?? document["detail"]?.stringValue
        for key in ["type", "code", "status"] {
            switch error[key] {
            case .string(let text)?: identifiers.append(text)
            case .integer(let number)?: identifiers.append(String(number))
            default: break
            }
        }
        for detail in error["details"]?.arrayValue ?? [] {
            guard let detail = detail.objectValue, let type = detail["@type"]?.stringValue else { continue }
            if type.hasSuffix("google.rpc.RetryInfo") {
                retryDelay = detail["retryDelay"]?.stringValue
            } else if type.hasSuffix("google.rpc.ErrorInfo"), let reason = detail["reason"]?.stringValue {
                identifiers.append(reason)
            } else if type.hasSuffix("google.rpc.QuotaFailure") {
                for violation in detail["violations"]?.arrayValue ?? [] {
                    for key in ["quotaId", "quotaMetric"] {
                        if let name = violation.objectValue?[key]?.stringValue {
                            quotaNames.append(name)
                        }
                    }
                }
            }
        }
        if message == nil, identifiers.isEmpty {
            rawText = String(decoding: bytes.prefix(1024), as: UTF8.self)
        }
    }

    /// Whether `identifier` is among the body's identifiers, ignoring case.
    func has(_ identifier: String) -> Bool {
        identifiers.contains { $0.lowercased() == identifier }
    }

    /// Whether a Gemini quota violation is on a daily quota, which no short
    /// wait fixes (per-minute quotas are ordinary rate limits).
    var hasDailyQuotaViolation: Bool {
        quotaNames.contains { name in
            let lowered = name.lowercased()
            return lowered.contains("perday") || lowered.contains("per_day") || lowered.contains("daily")
        }
    }

    /// The message, followed by the distinct identifiers in parentheses:
    /// `You exceeded your current quota… (insufficient_quota)`. A numeric code
    /// equal to the HTTP `status` (Gemini, vLLM, llama.cpp repeat it) is left out.
    func summary(status: Int) -> String {
        var distinct: [String] = []
        for identifier in identifiers
        where !distinct.contains(identifier) && identifier != "error" && identifier != String(status) {
            distinct.append(identifier)
        }
        let tags = distinct.isEmpty ? "" : " (\(distinct.joined(separator: ", ")))"
        if let message, !message.isEmpty {
            return message + tags
        }
        if !distinct.isEmpty {
            return "no error message" + tags
        }
        if let rawText {
            return "response body: " + rawText
        }
        return "empty response body"
    }
}
