import CRabbitMQ

extension String {
    /// Calls `body` with amqp_bytes_t that point into this string's UTF-8, valid only inside the call.
    func withAMQPBytes<Result>(_ body: (amqp_bytes_t) throws -> Result) rethrows -> Result {
        var copy = self
        return try copy.withUTF8 { utf8 in
            try body(amqp_bytes_t(len: utf8.count, bytes: UnsafeMutableRawPointer(mutating: utf8.baseAddress)))
        }
    }

    /// Copies amqp_bytes_t into a String, repairing invalid UTF-8.
    init(amqpBytes bytes: amqp_bytes_t) {
        guard bytes.len > 0, let pointer = bytes.bytes else {
            self = ""
            return
        }
        self = String(decoding: UnsafeRawBufferPointer(start: pointer, count: bytes.len), as: UTF8.self)
    }
}
