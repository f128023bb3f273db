import Yams

/// One raw value from a configuration source, before it is checked against
/// the schema.
///
/// YAML gives typed trees; the environment and command-line overrides give
/// plain text, where a list is written comma-separated.
enum ConfigurationValue {
    /// A YAML null: `~`, `null`, or nothing after the colon.
    case null
    /// A YAML scalar, as written (quotes removed).
    case scalar(String)
    /// A value from an environment variable or a command-line override.
    case text(String)
    /// A YAML sequence.
    case list([ConfigurationValue])
    /// A YAML mapping, in file order.
    case mapping([(key: String, value: ConfigurationValue)])

    /// How the value is shown in a "got …" message.
    var shown: String {
        switch self {
        case .null: "null"
        case .scalar(let string), .text(let string): Self.quoted(string)
        case .list: "a list"
        case .mapping: "a mapping"
        }
    }

    /// `string` in double quotes, with quotes, backslashes and control
    /// characters escaped so the message stays on one line.
    static func quoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

// MARK: - From YAML

extension ConfigurationValue {
    /// Parses YAML text; `nil` for a document with no content (empty, or only
    /// comments). `source` names the text in errors (the file's path).
    static func parse(yaml: String, source: String) throws(ConfigurationError) -> ConfigurationValue? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigurationError(key: source, problem: Self.describe(error))
        } catch {
            throw ConfigurationError(key: source, problem: "not valid YAML: \(error)")
        }
        guard let node else { return nil }
        return try ConfigurationValue(node, path: "")
    }

    /// Converts a composed YAML node, rejecting duplicate and non-string keys
    /// (libyaml accepts both silently, and a duplicate would hide a setting).
    init(_ node: Node, path: String) throws(ConfigurationError) {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                self = .null
            } else {
                self = .scalar(scalar.string)
            }
        case .sequence(let sequence):
            var items: [ConfigurationValue] = []
            for (index, item) in sequence.enumerated() {
                items.append(try ConfigurationValue(item, path: "\(path)[\(index)]"))
            }
            self = .list(items)
        case .mapping(let mapping):
            var pairs: [(key: String, value: ConfigurationValue)] = []
            var firstLine: [String: Int] = [:]
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    throw ConfigurationError(
                        key: path.isEmpty ? "yaml" : path,
                        problem: "keys must be plain names\(Self.at(keyNode.mark))"
                    )
                }
                let key = keyScalar.string
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                if let line = firstLine[key] {
                    throw ConfigurationError(key: childPath, problem: "duplicate key (first set on line \(line))")
                }
                firstLine[key] = keyScalar.mark?.line ?? 0
                pairs.append((key, try ConfigurationValue(valueNode, path: childPath)))
            }
            self = .mapping(pairs)
        }
    }

    private static func at(_ mark: Mark?) -> String {
        guard let mark else { return "" }
        return " (line \(mark.line), column \(mark.column))"
    }

    /// One line naming the position and the parser's complaint.
    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var text = "invalid YAML at line \(mark.line), column \(mark.column): \(problem)"
            if let context {
                text += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return text
        case .reader(let problem, let offset, _, _):
            let position = offset.map { " at character \($0)" } ?? ""
            return "unreadable YAML\(position): \(problem)"
        default:
            return "invalid YAML: \(error)"
        }
    }
}

// MARK: - Typed readers

extension ConfigurationValue {
    /// The text of a scalar, or `nil` for a null, list or mapping.
    var string: String? {
        switch self {
        case .scalar(let string), .text(let string): string
        default: nil
        }
    }

    /// A whole number within `range`; `reason`, when given, ends the
    /// out-of-range message, for a limit set by something outside tweetd.
    func integer(_ key: String, in range: ClosedRange<Int>, because reason: String? = nil) throws(ConfigurationError) -> Int {
        guard let text = string, let value = Int(Self.trimmed(text)) else {
            throw ConfigurationError(key: key, problem: "expected an integer, got \(shown)")
        }
        try Self.check(value, in: range, key: key, because: reason)
        return value
    }

    /// A whole number within `range`, or `nil` for null (or empty text).
    func optionalInteger(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        if isEmpty { return nil }
        return try integer(key, in: range)
    }

    static func check(
        _ value: Int, in range: ClosedRange<Int>, key: String, because reason: String? = nil
    ) throws(ConfigurationError) {
        guard range.contains(value) else {
            throw ConfigurationError(
                key: key,
                problem: "must be between \(range.lowerBound) and \(range.upperBound), got \(value)"
                    + (reason.map { ": \($0)" } ?? "")
            )
        }
    }

    /// `true`/`false` (also `yes`/`no`, `on`/`off`, `1`/`0`, any case).
    func boolean(_ key: String) throws(ConfigurationError) -> Bool {
        let word = string.map { Self.trimmed($0).lowercased() }
        switch word {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigurationError(key: key, problem: "expected true or false, got \(shown)")
        }
    }

    /// A non-empty string.
    func string(_ key: String) throws(ConfigurationError) -> String {
        guard let text = string else {
            throw ConfigurationError(key: key, problem: "expected a string, got \(shown)")
        }
        guard !text.isEmpty else {
            throw ConfigurationError(key: key, problem: "must not be empty")
        }
        return text
    }

    /// A string, or `nil` for null or an empty string ("not set").
    func optionalString(_ key: String) throws(ConfigurationError) -> String? {
        if isEmpty { return nil }
        return try string(key)
    }

    /// Null, an empty scalar, or empty text.
    var isEmpty: Bool {
        switch self {
        case .null: true
        case .scalar(let string), .text(let string): string.isEmpty
        case .list, .mapping: false
        }
    }

    /// One of the raw values of `E`.
    func choice<E: RawRepresentable & CaseIterable>(_ key: String, of type: E.Type) throws(ConfigurationError) -> E
    where E.RawValue == String {
        guard let text = string, let value = E(rawValue: Self.trimmed(text).lowercased()) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(key: key, problem: "expected one of \(allowed); got \(shown)")
        }
        return value
    }

    /// The items of a list: a YAML sequence, or comma-separated text from the
    /// environment or the command line. Each item comes with its own key.
    func items(_ key: String) throws(ConfigurationError) -> [(key: String, value: ConfigurationValue)] {
        switch self {
        case .list(let items):
            return items.enumerated().map { ("\(key)[\($0.offset)]", $0.element) }
        case .text(let text):
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                .map { Self.trimmed($0) }
            if parts == [""] { return [] }
            return parts.enumerated().map { ("\(key)[\($0.offset)]", .text($0.element)) }
        default:
            throw ConfigurationError(key: key, problem: "expected a list, got \(shown)")
        }
    }

    /// A non-empty list whose items `element` reads; it also gets each
    /// item's key and the items read before it (to refuse duplicates or
    /// disorder). `whenEmpty` is the problem reported for an empty list.
    func list<Element>(
        _ key: String,
        whenEmpty: String,
        _ element: (ConfigurationValue, String, [Element]) throws(ConfigurationError) -> Element
    ) throws(ConfigurationError) -> [Element] {
        var elements: [Element] = []
        for (itemKey, item) in try items(key) {
            elements.append(try element(item, itemKey, elements))
        }
        guard !elements.isEmpty else {
            throw ConfigurationError(key: key, problem: whenEmpty)
        }
        return elements
    }

    /// The pairs of a mapping; null counts as an empty mapping.
    func pairs(_ key: String) throws(ConfigurationError) -> [(key: String, value: ConfigurationValue)] {
        switch self {
        case .null: return []
        case .mapping(let pairs): return pairs
        default: throw ConfigurationError(key: key, problem: "expected a mapping, got \(shown)")
        }
    }
}

extension ConfigurationValue {
    /// `text` without leading and trailing spaces, tabs and line breaks.
    static func trimmed(_ text: some StringProtocol) -> String {
        let scalars = String(text).unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
