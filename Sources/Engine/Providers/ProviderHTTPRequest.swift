/// One HTTP request to an LLM provider, independent of any HTTP library.
public struct ProviderHTTPRequest: Sendable {
    /// The method, e.g. `POST`.
    public var method: String
    /// The absolute URL, e.g. `https://api.openai.com/v1/chat/completions`.
    public var url: String
    /// Header fields in the order they are sent. They may hold the API key:
    /// never log them.
    public var headers: [(String, String)]
    /// The body, usually a JSON document.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String, url: String, headers: [(String, String)], body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The value of the first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveEquals(name) }?.1
    }
}

extension String {
    /// ASCII case-insensitive equality, which is how HTTP compares field names.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.elementsEqual(other.utf8) { lhs, rhs in
            Self.asciiLowercased(lhs) == Self.asciiLowercased(rhs)
        }
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
