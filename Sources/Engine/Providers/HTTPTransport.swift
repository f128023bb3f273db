/// Sends one HTTP request to an LLM provider and returns its response.
///
/// Providers build their wire format on top of this seam so that tests can
/// check requests and answers byte for byte with an in-memory transport,
/// while the daemon uses ``AsyncHTTPClientTransport``.
///
/// A conforming type returns every response it receives, whatever its status:
/// telling a 429 from a 500 is the provider's job. It throws only when no
/// response arrived (timeout, connection failure, invalid URL), as a
/// ``ProviderError`` of kind ``ProviderError/Kind/transient`` (or
/// ``ProviderError/Kind/rejected`` when retrying cannot help, such as an
/// invalid URL), whose message never contains request headers. Its
/// ``ProviderError/provider`` may name the host: the provider client
/// replaces it with its configured name.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and waits at most `timeout` for the whole response,
    /// body included.
    func send(_ request: ProviderHTTPRequest, timeout: Duration) async throws(ProviderError) -> ProviderHTTPResponse
}
