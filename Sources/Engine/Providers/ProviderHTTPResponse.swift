/// One HTTP response from an LLM provider, independent of any HTTP library.
public struct ProviderHTTPResponse: Sendable {
    /// The status code, e.g. 200 or 429.
    public var status: Int
    /// Header fields in the order received.
    public var headers: [(String, String)]
    /// The body; a transport may cut it at its size cap (see
    /// ``AsyncHTTPClientTransport/maxResponseBytes``).
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Creates a response whose body is `body` in UTF-8, which keeps test fixtures readable.
    public init(status: Int, headers: [(String, String)] = [], body: String) {
        self.init(status: status, headers: headers, body: Array(body.utf8))
    }

    /// The value of the first header named `name`, compared case-insensitively
    /// as HTTP requires (`Retry-After` and `retry-after` are the same field).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveEquals(name) }?.1
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
