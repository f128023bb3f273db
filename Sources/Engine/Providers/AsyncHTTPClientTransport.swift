import AsyncHTTPClient
import Foundation

/// The daemon's ``HTTPTransport``: one `HTTPClient` shared by every provider,
/// on swift-nio's process-wide event loop group.
///
/// Redirects are not followed (a redirect would carry the API key to
/// another host, and no provider API redirects a POST); a response body is
/// kept up to ``maxResponseBytes`` and cut there, which leaves a 2xx answer
/// invalid JSON (reported as ``ProviderError/Kind/outputInvalid``) and an
/// error response still classified by its status. The timeout covers the
/// whole exchange, body included.
///
/// Call ``shutdown()`` once no request is in flight any more.
public final class AsyncHTTPClientTransport: HTTPTransport {
    /// The most response bytes kept.
    public let maxResponseBytes: Int
    private let client: HTTPClient

    /// Creates a transport with its own `HTTPClient`.
    ///
    /// - Parameters:
    ///   - maxResponseBytes: response bytes kept at most; 4 MiB by default,
    ///     far beyond any answer of a few hundred tokens.
    ///   - connectionsPerHost: HTTP/1.1 connections kept per host; the
    ///     default 64 keeps a local server with `max_concurrency` up to 64
    ///     from queueing requests inside the client (HTTP/2 servers such as
    ///     OpenAI's multiplex on one connection anyway).
    public init(maxResponseBytes: Int = 4 << 20, connectionsPerHost: Int = 64) {
        self.maxResponseBytes = maxResponseBytes
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10)),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
        )
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the client's connections. Requests still in flight fail; calling
    /// it again does nothing.
    public func shutdown() async {
        // The only error is "already shut down", which is what the caller wants.
        try? await client.shutdown()
    }

    /// Sends `request`, waiting at most `timeout` for the response and its body.
    public func send(_ request: ProviderHTTPRequest, timeout: Duration) async throws(ProviderError) -> ProviderHTTPResponse {
        let host = URL(string: request.url)?.host ?? "the provider"
        do {
            return try await withThrowingTaskGroup(of: ProviderHTTPResponse?.self) { group in
                group.addTask { try await self.exchange(request, timeout: timeout) }
                group.addTask {
                    // A little after the client's own deadline, which covers
                    // only the response head, so that the client reports first
                    // and names the cause (such as "connection refused") when it can.
                    try await Task.sleep(for: timeout + .milliseconds(100))
                    return nil
                }
                defer { group.cancelAll() }
                guard let response = try await group.next() ?? nil else {
                    throw HTTPClientError.deadlineExceeded
                }
                return response
            }
        } catch {
            throw Self.providerError(error, host: host, timeout: timeout)
        }
    }

    private func exchange(_ request: ProviderHTTPRequest, timeout: Duration) async throws -> ProviderHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = .init(rawValue: request.method)
        for (name, value) in request.headers {
            outgoing.headers.add(name: name, value: value)
        }
        outgoing.body = .bytes(request.body)
        let response = try await client.execute(outgoing, timeout: .nanoseconds(timeout.nanoseconds))
        var body: [UInt8] = []
        for try await chunk in response.body {
            let room = maxResponseBytes - body.count
            body.append(contentsOf: chunk.readableBytesView.prefix(room))
            if chunk.readableBytes >= room {
                // Leaving the loop drops the stream, which cancels the rest of the download.
                break
            }
        }
        return ProviderHTTPResponse(
            status: Int(response.status.code),
            headers: response.headers.map { ($0.name, $0.value) },
            body: body
        )
    }

    /// The ``ProviderError`` for a request that got no response. Its message
    /// names the host and the failure, never a header.
    static func providerError(_ error: any Error, host: String, timeout: Duration) -> ProviderError {
        let timeouts: [HTTPClientError] = [
            .deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout, .tlsHandshakeTimeout,
            .getConnectionFromPoolTimeout,
        ]
        if let clientError = error as? HTTPClientError {
            if timeouts.contains(clientError) {
                return ProviderError(
                    kind: .transient,
                    provider: host,
                    message: "request to \(host) timed out after \(ProviderError.format(timeout))"
                )
            }
            // Compared by short description because `unsupportedScheme` carries the scheme.
            if ["Invalid URL", "Empty host", "Empty scheme", "Unsupported scheme"].contains(clientError.shortDescription) {
                return ProviderError(kind: .rejected, provider: host, message: "invalid URL for \(host): \(clientError)")
            }
            if clientError == .cancelled {
                return ProviderError(kind: .transient, provider: host, message: "request to \(host) was cancelled")
            }
        }
        if error is CancellationError {
            return ProviderError(kind: .transient, provider: host, message: "request to \(host) was cancelled")
        }
        return ProviderError(kind: .transient, provider: host, message: "connection to \(host) failed: \(error)")
    }
}
