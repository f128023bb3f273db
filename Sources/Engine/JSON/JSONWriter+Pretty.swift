extension JSONWriter {
    /// `value` indented for people (reports written to a file), keys in their order,
    /// strings escaped exactly as the compact writer does; ends with a newline.
    public static func prettyPrinted(_ value: JSONValue, indent: Int = 2) -> [UInt8] {
        var bytes: [UInt8] = []
        appendPretty(value, depth: 0, indent: indent, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private static func appendPretty(_ value: JSONValue, depth: Int, indent: Int, to bytes: inout [UInt8]) {
        func newline(_ depth: Int) {
            bytes.append(UInt8(ascii: "\n"))
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * indent))
        }
        switch value {
        case .array(let elements) where !elements.isEmpty:
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                appendPretty(element, depth: depth + 1, indent: indent, to: &bytes)
            }
            newline(depth)
            bytes.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in object.entries.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                appendQuoted(member.key, to: &bytes)
                bytes.append(contentsOf: ": ".utf8)
                appendPretty(member.value, depth: depth + 1, indent: indent, to: &bytes)
            }
            newline(depth)
            bytes.append(UInt8(ascii: "}"))
        default:
            // Scalars and empty containers read the same either way.
            bytes.append(contentsOf: serialize(value))
        }
    }
}
