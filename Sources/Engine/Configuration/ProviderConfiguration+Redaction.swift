import Foundation

extension ProviderConfiguration {
    /// ``baseURL`` as logs, errors and the effective configuration show it,
    /// with any credentials it carries masked (see ``redacted(url:)``).
    /// Requests still go to ``baseURL`` itself.
    public var redactedBaseURL: String {
        Self.redacted(url: baseURL)
    }

    /// `url` with its user information replaced by `***` and the value of
    /// each query parameter whose name looks like a credential (it contains
    /// `key`, `token`, `secret`, `pass`, `auth`, `sig` or `credential`)
    /// replaced by `***`:
    /// `https://me:pw@llm.example.com/v1?api_key=k&region=eu` shows as
    /// `https://***@llm.example.com/v1?api_key=***&region=eu`.
    public static func redacted(url: String) -> String {
        var shown = ""
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") {
            shown += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            // Only an "@" before the path belongs to the user information.
            let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            if let at = authority.lastIndex(of: "@") {
                shown += "***"
                rest = rest[at...]
            }
        }
        guard let question = rest.firstIndex(of: "?") else {
            return shown + rest
        }
        shown += rest[...question]
        let queryAndFragment = rest[rest.index(after: question)...]
            .split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        return shown + queryAndFragment.map(redactedParameters).joined(separator: "#")
    }

    private static let credentialWords = ["key", "token", "secret", "pass", "auth", "sig", "credential"]

    /// `a=1&api_key=k` → `a=1&api_key=***`.
    private static func redactedParameters(_ parameters: Substring) -> String {
        parameters.split(separator: "&", omittingEmptySubsequences: false).map { parameter in
            guard let equals = parameter.firstIndex(of: "=") else { return String(parameter) }
            let rawName = String(parameter[..<equals])
            let name = (rawName.removingPercentEncoding ?? rawName).lowercased()
            guard credentialWords.contains(where: name.contains) else { return String(parameter) }
            return parameter[...equals] + "***"
        }.joined(separator: "&")
    }
}
