import Foundation

extension BrokerConfiguration {
    /// The pieces of an AMQP URL, `amqp[s]://[user[:password]@]host[:port][/vhost]`.
    ///
    /// Unlike RabbitMQ's URI spec, an empty path and `/` both mean the
    /// virtual host `/`, which is what people mean by
    /// `amqp://guest:guest@localhost:5672/`; name other virtual hosts in one
    /// percent-encoded path segment (`/%2F` is `/`, `/prod` is `prod`).
    struct ParsedURL {
        var useTLS: Bool
        var host: String
        var port: Int
        var virtualHost: String
        var username: String
        var password: String

        /// Parses `url`; errors name `key` and never repeat the URL, which
        /// may hold a password.
        init(parsing url: String, key: String) throws(ConfigurationError) {
            func fail(_ problem: String) -> ConfigurationError {
                ConfigurationError(key: key, problem: "not a valid AMQP URL: \(problem)")
            }

            guard let schemeEnd = url.range(of: "://") else {
                throw fail("expected amqp://host or amqps://host")
            }
            switch url[..<schemeEnd.lowerBound].lowercased() {
            case "amqp": useTLS = false
            case "amqps": useTLS = true
            default: throw fail("the scheme must be amqp:// or amqps://")
            }
            let rest = url[schemeEnd.upperBound...]
            if rest.contains(where: { $0 == "?" || $0 == "#" }) {
                throw fail(
                    "query parameters and fragments are not supported (use the broker.* settings;"
                        + " percent-encode ? and # in credentials)"
                )
            }
            if rest.contains(where: { $0.isWhitespace }) {
                throw fail("it contains white space")
            }
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            let path = rest[authorityEnd...]

            // Credentials: everything before the last "@" of the authority.
            var hostAndPort = authority
            username = "guest"
            password = "guest"
            if let at = authority.lastIndex(of: "@") {
                let userInfo = authority[..<at]
                hostAndPort = authority[authority.index(after: at)...]
                let userPart: Substring
                let passwordPart: Substring?
                if let colon = userInfo.firstIndex(of: ":") {
                    userPart = userInfo[..<colon]
                    passwordPart = userInfo[userInfo.index(after: colon)...]
                } else {
                    userPart = userInfo
                    passwordPart = nil
                }
                guard let user = String(userPart).removingPercentEncoding else {
                    throw fail("bad percent-encoding in the user name")
                }
                guard !user.isEmpty else { throw fail("empty user name before \"@\"") }
                username = user
                if let passwordPart {
                    guard let secret = String(passwordPart).removingPercentEncoding else {
                        throw fail("bad percent-encoding in the password")
                    }
                    password = secret
                }
            }

            // Host and port; an IPv6 address is in brackets.
            var portText: Substring?
            if hostAndPort.hasPrefix("[") {
                guard let close = hostAndPort.firstIndex(of: "]") else {
                    throw fail("missing \"]\" after the IPv6 address")
                }
                host = String(hostAndPort[hostAndPort.index(after: hostAndPort.startIndex)..<close])
                let after = hostAndPort[hostAndPort.index(after: close)...]
                if !after.isEmpty {
                    guard after.hasPrefix(":") else { throw fail("unexpected text after the IPv6 address") }
                    portText = after.dropFirst()
                }
            } else if let colon = hostAndPort.firstIndex(of: ":") {
                host = String(hostAndPort[..<colon])
                portText = hostAndPort[hostAndPort.index(after: colon)...]
            } else {
                host = String(hostAndPort)
            }
            guard !host.isEmpty else { throw fail("missing host") }
            if let portText {
                guard let number = Int(portText), (1...65535).contains(number) else {
                    throw fail("the port must be a number between 1 and 65535")
                }
                port = number
            } else {
                port = useTLS ? 5671 : 5672
            }

            // Virtual host: one path segment, percent-decoded.
            let segment = path.dropFirst()
            if segment.isEmpty {
                virtualHost = "/"
            } else {
                guard !segment.contains("/") else {
                    throw fail("the virtual host must be one path segment (write \"/\" inside it as %2F)")
                }
                guard let decoded = String(segment).removingPercentEncoding else {
                    throw fail("bad percent-encoding in the virtual host")
                }
                virtualHost = decoded
            }
        }

        /// A URL for logs: the pieces, percent-encoded where needed, with the
        /// password written as `***`.
        static func redacted(
            useTLS: Bool,
            host: String,
            port: Int,
            virtualHost: String,
            username: String
        ) -> String {
            // RFC 3986 unreserved characters pass; everything else is escaped.
            var unreserved = CharacterSet(
                charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            )
            unreserved.insert(charactersIn: "-._~")
            func encode(_ text: String) -> String {
                text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
            }
            let scheme = useTLS ? "amqps" : "amqp"
            let hostPart = host.contains(":") ? "[\(host)]" : host
            let path = virtualHost == "/" ? "/" : "/" + encode(virtualHost)
            return "\(scheme)://\(encode(username)):***@\(hostPart):\(port)\(path)"
        }
    }
}
