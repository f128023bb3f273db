import CRabbitMQ
import Foundation

/// Owns the C memory behind an encoded field table or property set for the length of one call.
///
/// librabbitmq only borrows the pointers it is given, so every key, string and
/// nested table is copied into memory this arena frees when the call is over.
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit {
        for allocation in allocations {
            free(allocation)
        }
    }

    /// Copies bytes into the arena.
    func bytes<C: Collection<UInt8>>(_ source: C) -> amqp_bytes_t {
        guard !source.isEmpty, let memory = malloc(source.count) else {
            return amqp_bytes_t(len: 0, bytes: nil)
        }
        allocations.append(memory)
        let buffer = UnsafeMutableRawBufferPointer(start: memory, count: source.count)
        buffer.copyBytes(from: source)
        return amqp_bytes_t(len: source.count, bytes: memory)
    }

    /// Copies a string's UTF-8 into the arena.
    func bytes(_ string: String) -> amqp_bytes_t {
        bytes(Array(string.utf8))
    }

    /// Allocates `count` zeroed values of `T` in the arena.
    func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T>? {
        guard count > 0, let memory = calloc(count, MemoryLayout<T>.stride) else { return nil }
        allocations.append(memory)
        return memory.bindMemory(to: T.self, capacity: count)
    }

    /// Encodes a Swift table into C.
    func table(_ fields: [String: FieldValue]) -> amqp_table_t {
        guard !fields.isEmpty, let entries = allocate(amqp_table_entry_t.self, count: fields.count) else {
            return amqp_empty_table
        }
        // Sorted keys make the encoding deterministic, which helps when comparing captures.
        for (index, key) in fields.keys.sorted().enumerated() {
            entries[index].key = bytes(key)
            entries[index].value = value(fields[key]!)
        }
        return amqp_table_t(num_entries: Int32(fields.count), entries: entries)
    }

    private func value(_ field: FieldValue) -> amqp_field_value_t {
        var result = amqp_field_value_t()
        switch field {
        case .string(let string):
            result.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
            result.value.bytes = bytes(string)
        case .integer(let integer):
            result.kind = UInt8(AMQP_FIELD_KIND_I64.rawValue)
            result.value.i64 = integer
        case .bool(let bool):
            result.kind = UInt8(AMQP_FIELD_KIND_BOOLEAN.rawValue)
            result.value.boolean = bool ? 1 : 0
        case .double(let double):
            result.kind = UInt8(AMQP_FIELD_KIND_F64.rawValue)
            result.value.f64 = double
        case .timestamp(let seconds):
            result.kind = UInt8(AMQP_FIELD_KIND_TIMESTAMP.rawValue)
            result.value.u64 = seconds
        case .bytes(let raw):
            result.kind = UInt8(AMQP_FIELD_KIND_BYTES.rawValue)
            result.value.bytes = bytes(raw)
        case .table(let nested):
            result.kind = UInt8(AMQP_FIELD_KIND_TABLE.rawValue)
            result.value.table = table(nested)
        case .array(let elements):
            result.kind = UInt8(AMQP_FIELD_KIND_ARRAY.rawValue)
            let storage = allocate(amqp_field_value_t.self, count: elements.count)
            for (index, element) in elements.enumerated() {
                storage?[index] = value(element)
            }
            result.value.array = amqp_array_t(num_entries: Int32(elements.count), entries: storage)
        case .void, .unsupported:
            result.kind = UInt8(AMQP_FIELD_KIND_VOID.rawValue)
        }
        return result
    }
}

/// Turns field tables between Swift and C.
enum FieldTableEncoder {
    /// Calls `body` with a C table valid only inside the call.
    static func withTable<Result>(_ fields: [String: FieldValue], _ body: (amqp_table_t) throws -> Result) rethrows -> Result {
        if fields.isEmpty {
            return try body(amqp_empty_table)
        }
        let arena = CArena()
        return try withExtendedLifetime(arena) {
            try body(arena.table(fields))
        }
    }

    /// How deep tables and arrays are decoded; a value nested deeper becomes `.unsupported`.
    ///
    /// A producer can nest arrays some 26,000 deep in one frame: decoding (and later
    /// measuring, comparing and encoding) that recursively would overflow the stack.
    static let maximumDepth = 32

    /// Copies a C table into Swift.
    static func decode(_ table: amqp_table_t, depth: Int = 0) -> [String: FieldValue] {
        guard table.num_entries > 0, let entries = table.entries else { return [:] }
        var result: [String: FieldValue] = [:]
        result.reserveCapacity(Int(table.num_entries))
        for index in 0..<Int(table.num_entries) {
            let entry = entries[index]
            result[String(amqpBytes: entry.key)] = decode(entry.value, depth: depth)
        }
        return result
    }

    private static func decode(_ value: amqp_field_value_t, depth: Int) -> FieldValue {
        let nested = UInt32(value.kind) == AMQP_FIELD_KIND_TABLE.rawValue || UInt32(value.kind) == AMQP_FIELD_KIND_ARRAY.rawValue
        if nested, depth >= maximumDepth {
            return .unsupported(kind: value.kind)
        }
        switch UInt32(value.kind) {
        case AMQP_FIELD_KIND_UTF8.rawValue:
            return .string(String(amqpBytes: value.value.bytes))
        case AMQP_FIELD_KIND_BYTES.rawValue:
            guard value.value.bytes.len > 0, let pointer = value.value.bytes.bytes else { return .bytes([]) }
            return .bytes(Array(UnsafeRawBufferPointer(start: pointer, count: value.value.bytes.len)))
        case AMQP_FIELD_KIND_BOOLEAN.rawValue:
            return .bool(value.value.boolean != 0)
        case AMQP_FIELD_KIND_I8.rawValue: return .integer(Int64(value.value.i8))
        case AMQP_FIELD_KIND_U8.rawValue: return .integer(Int64(value.value.u8))
        case AMQP_FIELD_KIND_I16.rawValue: return .integer(Int64(value.value.i16))
        case AMQP_FIELD_KIND_U16.rawValue: return .integer(Int64(value.value.u16))
        case AMQP_FIELD_KIND_I32.rawValue: return .integer(Int64(value.value.i32))
        case AMQP_FIELD_KIND_U32.rawValue: return .integer(Int64(value.value.u32))
        case AMQP_FIELD_KIND_I64.rawValue: return .integer(value.value.i64)
        case AMQP_FIELD_KIND_U64.rawValue: return .integer(Int64(clamping: value.value.u64))
        case AMQP_FIELD_KIND_F32.rawValue: return .double(Double(value.value.f32))
        case AMQP_FIELD_KIND_F64.rawValue: return .double(value.value.f64)
        case AMQP_FIELD_KIND_TIMESTAMP.rawValue: return .timestamp(value.value.u64)
        case AMQP_FIELD_KIND_TABLE.rawValue: return .table(decode(value.value.table, depth: depth + 1))
        case AMQP_FIELD_KIND_ARRAY.rawValue:
            let array = value.value.array
            guard array.num_entries > 0, let entries = array.entries else { return .array([]) }
            return .array((0..<Int(array.num_entries)).map { decode(entries[$0], depth: depth + 1) })
        case AMQP_FIELD_KIND_VOID.rawValue:
            return .void
        default:
            return .unsupported(kind: value.kind)
        }
    }
}

/// Turns basic properties between Swift and C.
enum PropertiesEncoder {
    /// Calls `body` with C properties valid only inside the call.
    static func withProperties<Result>(_ properties: MessageProperties, _ body: (UnsafePointer<amqp_basic_properties_t>) throws -> Result) rethrows -> Result {
        let arena = CArena()
        var flags: UInt32 = 0
        var c = amqp_basic_properties_t()
        func set(_ value: String?, _ flag: Int32, _ keyPath: WritableKeyPath<amqp_basic_properties_t, amqp_bytes_t>) {
            guard let value else { return }
            c[keyPath: keyPath] = arena.bytes(value)
            flags |= UInt32(bitPattern: flag)
        }
        set(properties.contentType, AMQP_BASIC_CONTENT_TYPE_FLAG, \.content_type)
        set(properties.contentEncoding, AMQP_BASIC_CONTENT_ENCODING_FLAG, \.content_encoding)
        set(properties.correlationId, AMQP_BASIC_CORRELATION_ID_FLAG, \.correlation_id)
        set(properties.replyTo, AMQP_BASIC_REPLY_TO_FLAG, \.reply_to)
        set(properties.expiration, AMQP_BASIC_EXPIRATION_FLAG, \.expiration)
        set(properties.messageId, AMQP_BASIC_MESSAGE_ID_FLAG, \.message_id)
        set(properties.type, AMQP_BASIC_TYPE_FLAG, \.type)
        set(properties.userId, AMQP_BASIC_USER_ID_FLAG, \.user_id)
        set(properties.appId, AMQP_BASIC_APP_ID_FLAG, \.app_id)
        if !properties.headers.isEmpty {
            c.headers = arena.table(properties.headers)
            flags |= UInt32(bitPattern: AMQP_BASIC_HEADERS_FLAG)
        }
        if let deliveryMode = properties.deliveryMode {
            c.delivery_mode = deliveryMode
            flags |= UInt32(bitPattern: AMQP_BASIC_DELIVERY_MODE_FLAG)
        }
        if let priority = properties.priority {
            c.priority = priority
            flags |= UInt32(bitPattern: AMQP_BASIC_PRIORITY_FLAG)
        }
        if let timestamp = properties.timestamp {
            c.timestamp = timestamp
            flags |= UInt32(bitPattern: AMQP_BASIC_TIMESTAMP_FLAG)
        }
        c._flags = flags
        return try withExtendedLifetime(arena) {
            try withUnsafePointer(to: &c) { try body($0) }
        }
    }
}

/// Copies C basic properties into Swift.
enum PropertiesDecoder {
    /// Copies every property the C struct marks as present.
    static func decode(_ c: amqp_basic_properties_t) -> MessageProperties {
        let flags = c._flags
        func has(_ flag: Int32) -> Bool { flags & UInt32(bitPattern: flag) != 0 }
        func string(_ flag: Int32, _ bytes: amqp_bytes_t) -> String? {
            has(flag) ? String(amqpBytes: bytes) : nil
        }
        return MessageProperties(
            contentType: string(AMQP_BASIC_CONTENT_TYPE_FLAG, c.content_type),
            contentEncoding: string(AMQP_BASIC_CONTENT_ENCODING_FLAG, c.content_encoding),
            headers: has(AMQP_BASIC_HEADERS_FLAG) ? FieldTableEncoder.decode(c.headers) : [:],
            deliveryMode: has(AMQP_BASIC_DELIVERY_MODE_FLAG) ? c.delivery_mode : nil,
            priority: has(AMQP_BASIC_PRIORITY_FLAG) ? c.priority : nil,
            correlationId: string(AMQP_BASIC_CORRELATION_ID_FLAG, c.correlation_id),
            replyTo: string(AMQP_BASIC_REPLY_TO_FLAG, c.reply_to),
            expiration: string(AMQP_BASIC_EXPIRATION_FLAG, c.expiration),
            messageId: string(AMQP_BASIC_MESSAGE_ID_FLAG, c.message_id),
            timestamp: has(AMQP_BASIC_TIMESTAMP_FLAG) ? c.timestamp : nil,
            type: string(AMQP_BASIC_TYPE_FLAG, c.type),
            userId: string(AMQP_BASIC_USER_ID_FLAG, c.user_id),
            appId: string(AMQP_BASIC_APP_ID_FLAG, c.app_id)
        )
    }
}
