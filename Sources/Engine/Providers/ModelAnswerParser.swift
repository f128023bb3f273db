import Foundation

/// Turns a model's text answer into a ``ModelAnswer``, or says precisely
/// why it is not the JSON asked for.
///
/// Models do not always answer with the bare object they were asked for, so
/// the parser accepts, in this order: the object alone; the object inside a
/// fenced block (```` ```json … ``` ````); prose around exactly one top-level
/// object (the first `{` up to its matching `}`). The object must have:
/// - `sentiment`: `positive`, `negative`, `neutral` or `mixed`, any case (an
///   object `{"label": …, "score": …}` is accepted too);
/// - `topics`: an array of strings (the first five distinct ones are kept);
/// - `summary`: a string (cut to 280 characters at a character boundary).
///
/// and may have `sentiment_score` (a number, clamped to -1…1; +0.6, -0.6, 0
/// and 0 by label when absent or null) and `language` (ignored unless it is a
/// two- or three-letter code, optionally with a region: `en`, `pt-BR`).
public enum ModelAnswerParser {
    /// Topics kept at most.
    public static let maxTopics = 5
    /// Characters a topic keeps at most.
    public static let maxTopicCharacters = 50
    /// Characters a summary keeps at most, `…` included.
    public static let maxSummaryCharacters = 280

    /// Parses and validates `answer`, the model's text.
    ///
    /// - Throws: ``ProviderError`` of kind ``ProviderError/Kind/outputInvalid``
    ///   for `provider`, saying what is wrong (`answer is not JSON: …`,
    ///   `answer has no "sentiment"`…).
    public static func parse(_ answer: String, provider: String) throws(ProviderError) -> ModelAnswer {
        do throws(Invalid) {
            let object = try extractObject(from: answer)
            return try validate(object)
        } catch {
            throw ProviderError(kind: .outputInvalid, provider: provider, message: error.message)
        }
    }

    /// Why an answer is invalid; becomes a ``ProviderError`` message.
    struct Invalid: Error {
        var message: String
    }

    // MARK: Finding the object

    static func extractObject(from answer: String) throws(Invalid) -> JSONObject {
        let bytes = Array(answer.utf8)
        let trimmed = trimmedRange(bytes, bytes.startIndex..<bytes.endIndex)
        guard !trimmed.isEmpty else { throw Invalid(message: "answer is empty") }

        // 1. The object alone (and an answer that is JSON, but no object, is wrong as a whole).
        if let value = try? StrictJSONParser(maxDepth: 32).parse(bytes[trimmed]) {
            guard let object = value.objectValue else {
                throw Invalid(message: "answer is JSON but not an object: got \(value.typeName)")
            }
            return object
        }
        // 2. A fenced block.
        if let fenced = fencedBlock(bytes, in: trimmed), let object = try? parseObject(bytes[fenced]) {
            return object
        }
        // 3. Prose around one object.
        guard let open = bytes[trimmed].firstIndex(of: UInt8(ascii: "{")) else {
            throw Invalid(message: "answer is not JSON: \(snippet(answer))")
        }
        guard let close = matchingBrace(bytes, from: open, to: trimmed.upperBound) else {
            throw Invalid(message: "answer is not JSON: no \"}\" closes its first \"{\": \(snippet(answer))")
        }
        let object: JSONObject
        do throws(Invalid) {
            object = try parseObject(bytes[open...close])
        } catch {
            throw Invalid(message: "answer is not JSON: \(error.message)")
        }
        var searchStart = close + 1
        while let nextOpen = bytes[searchStart..<trimmed.upperBound].firstIndex(of: UInt8(ascii: "{")) {
            guard let nextClose = matchingBrace(bytes, from: nextOpen, to: trimmed.upperBound) else { break }
            if (try? parseObject(bytes[nextOpen...nextClose])) != nil {
                throw Invalid(message: "answer holds more than one JSON object")
            }
            searchStart = nextOpen + 1
        }
        return object
    }

    private static func parseObject(_ bytes: ArraySlice<UInt8>) throws(Invalid) -> JSONObject {
        let value: JSONValue
        do throws(JSONParseError) {
            value = try StrictJSONParser(maxDepth: 32).parse(bytes)
        } catch {
            throw Invalid(message: error.description)
        }
        guard let object = value.objectValue else {
            throw Invalid(message: "answer is JSON but not an object: got \(value.typeName)")
        }
        return object
    }

    /// The content of the first ```` ``` ```` fence (its info string such as
    /// `json` skipped), up to the closing fence or the end of the answer.
    private static func fencedBlock(_ bytes: [UInt8], in range: Range<Int>) -> Range<Int>? {
        let fence: [UInt8] = Array("```".utf8)
        guard let start = firstIndex(of: fence, in: bytes, range: range) else { return nil }
        var contentStart = start + fence.count
        while contentStart < range.upperBound, bytes[contentStart] != UInt8(ascii: "\n"), bytes[contentStart] != UInt8(ascii: "{") {
            contentStart += 1
        }
        let end = firstIndex(of: fence, in: bytes, range: contentStart..<range.upperBound) ?? range.upperBound
        return trimmedRange(bytes, contentStart..<end)
    }

    /// The index of the `}` matching the `{` at `open`, skipping braces inside strings.
    private static func matchingBrace(_ bytes: [UInt8], from open: Int, to end: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        for index in open..<end {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { return index }
            default: break
            }
        }
        return nil
    }

    private static func firstIndex(of needle: [UInt8], in bytes: [UInt8], range: Range<Int>) -> Int? {
        guard range.count >= needle.count else { return nil }
        return (range.lowerBound...(range.upperBound - needle.count)).first { start in
            bytes[start..<(start + needle.count)].elementsEqual(needle)
        }
    }

    private static func trimmedRange(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, isSpace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    private static func snippet(_ answer: String) -> String {
        JSONWriter.quoted(answer, maxScalars: 80)
    }

    // MARK: Validating it

    static func validate(_ object: JSONObject) throws(Invalid) -> ModelAnswer {
        let sentiment = try sentiment(in: object)
        let topics = try topics(in: object)
        guard let summaryValue = object["summary"], !summaryValue.isNull else {
            throw Invalid(message: "answer has no \"summary\"")
        }
        guard let summaryText = summaryValue.stringValue else {
            throw Invalid(message: "\"summary\" must be a string, got \(summaryValue.summary)")
        }
        return ModelAnswer(
            sentiment: sentiment,
            topics: topics,
            summary: summary(summaryText),
            language: object["language"]?.stringValue.flatMap(languageCode)
        )
    }

    private static func sentiment(in object: JSONObject) throws(Invalid) -> Sentiment {
        guard let value = object["sentiment"], !value.isNull else {
            throw Invalid(message: "answer has no \"sentiment\"")
        }
        let labelValue: JSONValue
        let scoreValue: JSONValue?
        if let nested = value.objectValue {
            guard let nestedLabel = nested["label"] else {
                throw Invalid(message: "\"sentiment\" is an object without \"label\"")
            }
            labelValue = nestedLabel
            scoreValue = nested["score"] ?? object["sentiment_score"]
        } else {
            labelValue = value
            scoreValue = object["sentiment_score"]
        }
        let allowed = "positive, negative, neutral or mixed"
        guard let text = labelValue.stringValue else {
            throw Invalid(message: "\"sentiment\" must be \(allowed), got \(labelValue.summary)")
        }
        guard let label = Sentiment.Label(rawValue: ProviderError.oneLine(text, maxCharacters: 20).lowercased()) else {
            throw Invalid(message: "\"sentiment\" must be \(allowed), got \(labelValue.summary)")
        }
        return Sentiment(label: label, score: try score(scoreValue, label: label))
    }

    private static func score(_ value: JSONValue?, label: Sentiment.Label) throws(Invalid) -> Double {
        guard let value, !value.isNull else {
            switch label {
            case .positive: return 0.6
            case .negative: return -0.6
            case .neutral, .mixed: return 0
            }
        }
        guard let number = value.doubleValue ?? value.stringValue.flatMap({ Double($0) }), number.isFinite else {
            throw Invalid(message: "\"sentiment_score\" must be a number from -1 to 1, got \(value.summary)")
        }
        return min(1, max(-1, number))
    }

    private static func topics(in object: JSONObject) throws(Invalid) -> [String] {
        guard let value = object["topics"], !value.isNull else {
            throw Invalid(message: "answer has no \"topics\"")
        }
        guard let elements = value.arrayValue else {
            throw Invalid(message: "\"topics\" must be an array of strings, got \(value.summary)")
        }
        var topics: [String] = []
        for element in elements {
            guard let text = element.stringValue else {
                throw Invalid(message: "\"topics\" must be an array of strings, got an element \(element.summary)")
            }
            var topic = ProviderError.oneLine(text, maxCharacters: Int.max).lowercased()
            while topic.hasPrefix("#") {
                topic.removeFirst()
            }
            topic = String(topic.prefix(maxTopicCharacters))
            if !topic.isEmpty, !topics.contains(topic), topics.count < maxTopics {
                topics.append(topic)
            }
        }
        return topics
    }

    private static func summary(_ text: String) -> String {
        let line = ProviderError.oneLine(text, maxCharacters: Int.max)
        guard line.count > maxSummaryCharacters else { return line }
        return String(line.prefix(maxSummaryCharacters - 1)) + "…"
    }

    /// `en`, `EN`, `pt-BR`, `zh_Hant` → `en`, `en`, `pt`, `zh`; anything else → `nil`.
    private static func languageCode(_ text: String) -> String? {
        let primary = text.trimmingCharacters(in: .whitespacesAndNewlines).split(whereSeparator: { $0 == "-" || $0 == "_" }).first ?? ""
        guard (2...3).contains(primary.count), primary.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        return primary.lowercased()
    }
}
