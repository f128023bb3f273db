/// What the wire allows in properties tweetd publishes.
///
/// Properties decoded from a delivery are repaired into valid UTF-8, so a
/// producer's 255-byte short string of invalid bytes can come back three times
/// as long; a header table just under the producer's frame size leaves no room
/// for tweetd's own headers. Publishing either would close the channel (or fail
/// in librabbitmq) and take every other in-flight publish down with it, so
/// tweetd measures before it publishes.
extension MessageProperties {
    /// The longest short string (property, table key, routing key) AMQP allows, in bytes.
    public static let maximumShortStringBytes = 255

    /// `text` when it fits in a short string, else nil.
    public static func shortString(_ text: String?) -> String? {
        guard let text, text.utf8.count <= maximumShortStringBytes else { return nil }
        return text
    }

    /// The encoded size of these properties in a content header frame, an upper bound in bytes.
    public var encodedSize: Int {
        var size = 14 // class id, weight, body size, property flags
        for text in [contentType, contentEncoding, correlationId, replyTo, expiration, messageId, type, userId, appId] {
            if let text { size += 1 + text.utf8.count }
        }
        if deliveryMode != nil { size += 1 }
        if priority != nil { size += 1 }
        if timestamp != nil { size += 8 }
        if !headers.isEmpty { size += FieldValue.encodedSize(of: headers) }
        return size
    }

    /// The properties with every short string that would not fit on the wire removed.
    ///
    /// A property over 255 bytes is dropped (there is no faithful shorter form of
    /// a message id); a header whose name is over 255 bytes is dropped, at any depth.
    public func fittingShortStrings() -> MessageProperties {
        var copy = self
        let fit = Self.shortString
        copy.contentType = fit(contentType)
        copy.contentEncoding = fit(contentEncoding)
        copy.correlationId = fit(correlationId)
        copy.replyTo = fit(replyTo)
        copy.expiration = fit(expiration)
        copy.messageId = fit(messageId)
        copy.type = fit(type)
        copy.userId = fit(userId)
        copy.appId = fit(appId)
        if headers.keys.contains(where: { $0.utf8.count > Self.maximumShortStringBytes }) || headers.values.contains(where: \.hasNestedFields) {
            copy.headers = FieldValue.fittingKeys(headers)
        }
        return copy
    }
}

extension FieldValue {
    /// The encoded size of a field table: its length prefix and every entry.
    static func encodedSize(of table: [String: FieldValue]) -> Int {
        var size = 4
        for (key, value) in table {
            size += 1 + key.utf8.count + value.encodedSize
        }
        return size
    }

    /// The encoded size of this value with its kind byte, an upper bound (integers are sent as 64-bit).
    var encodedSize: Int {
        switch self {
        case .string(let text): return 1 + 4 + text.utf8.count
        case .bytes(let bytes): return 1 + 4 + bytes.count
        case .integer, .double, .timestamp: return 1 + 8
        case .bool: return 1 + 1
        case .void, .unsupported: return 1
        case .table(let table): return 1 + Self.encodedSize(of: table)
        case .array(let values): return 1 + 4 + values.reduce(0) { $0 + $1.encodedSize }
        }
    }

    var hasNestedFields: Bool {
        switch self {
        case .table, .array: return true
        default: return false
        }
    }

    /// `table` without entries whose key is too long for a short string, at any depth.
    static func fittingKeys(_ table: [String: FieldValue]) -> [String: FieldValue] {
        var result: [String: FieldValue] = [:]
        for (key, value) in table where key.utf8.count <= MessageProperties.maximumShortStringBytes {
            result[key] = value.fittingKeys()
        }
        return result
    }

    private func fittingKeys() -> FieldValue {
        switch self {
        case .table(let table): return .table(Self.fittingKeys(table))
        case .array(let values): return .array(values.map { $0.fittingKeys() })
        default: return self
        }
    }
}
