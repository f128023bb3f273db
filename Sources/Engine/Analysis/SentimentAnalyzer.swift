/// Lexicon-based sentiment: words and emoji of known polarity, adjusted for
/// negation and intensifiers.
///
/// How a score comes about:
/// - each word is looked up in the lexicon of the detected language, then in
///   the English one (English words turn up in tweets of every language);
///   Japanese, Chinese and Korean words are found inside longer tokens;
/// - a negator (`not`, `no`, `nie`, `nicht`, `pas`, `não`, `non`, `не`, …)
///   reverses the first sentiment word among the next three in the same
///   clause, to 0.8 of its weight; where a language puts the negation after
///   the verb (de, fr, nl, sv, ko), a negator with nothing to reverse ahead
///   reverses the sentiment word just before it. A word is reversed at most
///   once, so French `ne … pas` is one negation;
/// - an intensifier (`very`, `muy`, `sehr`, `bardzo`, …) makes the next word
///   count 1.5 times;
/// - emoji and ASCII emoticons add their own polarity and are never negated.
///
/// With `pos` and `neg` the summed positive and negative weights, the score
/// is `(pos − neg) / (pos + neg + 1)`: the balance of the evidence, shrunk
/// towards 0 when there is little of it (one positive word scores 0.5, two
/// score 0.67). The label is `positive` from 0.25, `negative` to -0.25,
/// `mixed` in between when both sides have at least one full word's weight,
/// and `neutral` otherwise. Scores are rounded to three decimals so results
/// read cleanly and compare exactly.
public struct SentimentAnalyzer: Sendable {
    /// Scores at or above this are `positive`.
    public static let positiveThreshold = 0.25
    /// Scores at or below this are `negative`.
    public static let negativeThreshold = -0.25
    /// Both sides need at least this much weight for a `mixed` verdict.
    public static let mixedEvidence = 1.0

    /// How many words after a negator it can reach.
    static let negationReach = 3
    /// How much an intensifier strengthens the next word.
    static let intensifierFactor = 1.5

    /// Creates an analyzer; all lexicons are static and built once.
    public init() {}

    /// The sentiment of `text`, read with the lexicon of `language` (ISO 639-1)
    /// plus English; unknown languages use English alone.
    public func analyze(_ text: String, language: String) -> Sentiment {
        analyze(TweetTokenizer.tokenize(text), language: language)
    }

    /// One word's part in the verdict.
    private struct Item {
        var polarity = 0.0
        var isNegator = false
        var isIntensifier = false
        var clause = 0
        var negated = false
        var factor = 1.0
    }

    /// The sentiment of already tokenized text.
    func analyze(_ tokens: TextTokens, language: String) -> Sentiment {
        analyzeWords(tokens, language: language).sentiment
    }

    /// The sentiment of already tokenized text, with the polarity each word
    /// has on its own (before negation), which topic extraction reuses
    /// instead of looking every word up again.
    func analyzeWords(_ tokens: TextTokens, language: String) -> (sentiment: Sentiment, wordPolarities: [Double]) {
        let english = SentimentLexicon.english
        let own = SentimentLexicon.lexicon(for: language)
        let primary = own ?? english
        let lexicons = own == nil || language == "en" ? [english] : [primary, english]

        var items: [Item] = []
        items.reserveCapacity(tokens.words.count)
        var clause = 0
        for word in tokens.words {
            if word.startsClause { clause += 1 }
            var item = Item(clause: clause)
            defer { items.append(item) }
            guard !word.isNumeric else { continue }
            let text = word.text
            if word.group != .alphabetic && primary.matchesInsideWords {
                // Scanned character by character, so length is no concern.
                item.polarity = primary.polarityInside(text)
            } else if word.isListable {
                item.polarity = Self.polarity(of: text, in: lexicons)
            } else {
                continue
            }
            // Negation and intensity are grammar: only the text's own language decides them.
            (item.isNegator, item.isIntensifier) = primary.grammarRole(of: text)
            if item.isNegator && item.polarity != 0 {
                // A word that negates itself (`n'aime`): reverse it here, reach no further.
                item.negated = true
                item.isNegator = false
            }
        }

        for index in items.indices where items[index].isNegator {
            if !Self.negate(forwardFrom: index, in: &items) && primary.allowsPostposedNegation {
                Self.negate(backwardFrom: index, in: &items)
            }
        }
        for index in items.indices where items[index].isIntensifier {
            let next = index + 1
            if next < items.count && items[next].clause == items[index].clause && items[next].polarity != 0 {
                items[next].factor = Self.intensifierFactor
            }
        }

        var positive = 0.0
        var negative = 0.0
        func add(_ value: Double) {
            if value > 0 { positive += value } else { negative -= value }
        }
        for item in items where item.polarity != 0 {
            add(item.polarity * item.factor * (item.negated ? SentimentLexicon.negationFactor : 1))
        }
        for base in tokens.emojiBases {
            if let value = SentimentLexicon.emoji[base.value] { add(value) }
        }
        for emoticon in tokens.emoticons {
            if let value = SentimentLexicon.emoticons[emoticon] { add(value) }
        }
        return (Self.verdict(positive: positive, negative: negative), items.map(\.polarity))
    }

    /// The label and score for summed positive and negative weights.
    static func verdict(positive: Double, negative: Double) -> Sentiment {
        let raw = (positive - negative) / (positive + negative + 1)
        // Rounded, and never -0 (which JSON would print as `-0`).
        let rounded = (raw * 1000).rounded() / 1000
        let score = rounded == 0 ? 0 : rounded
        let label: Sentiment.Label
        if score >= positiveThreshold {
            label = .positive
        } else if score <= negativeThreshold {
            label = .negative
        } else if positive >= mixedEvidence && negative >= mixedEvidence {
            label = .mixed
        } else {
            label = .neutral
        }
        return Sentiment(label: label, score: score)
    }

    /// A word's polarity in the first lexicon that knows it; an elided or
    /// contracted word (`j'adore`, `l'amore`, `movie's`) is also tried without
    /// its clitic, and French `n'` in front reverses it.
    private static func polarity(of word: String, in lexicons: [SentimentLexicon]) -> Double {
        for lexicon in lexicons {
            if let polarity = lexicon.polarity(of: word) { return polarity }
        }
        guard let base = Elision.split(word)?.base, !base.isEmpty else { return 0 }
        for lexicon in lexicons {
            if let polarity = lexicon.polarity(of: base) { return polarity }
        }
        return 0
    }

    /// Reverses the first sentiment word within reach after `index`; whether one was found.
    @discardableResult
    private static func negate(forwardFrom index: Int, in items: inout [Item]) -> Bool {
        let end = min(items.count, index + 1 + negationReach)
        for target in (index + 1)..<max(index + 1, end) {
            guard items[target].clause == items[index].clause else { return false }
            if items[target].polarity != 0 {
                if items[target].negated { return false }
                items[target].negated = true
                return true
            }
        }
        return false
    }

    /// Reverses the nearest sentiment word within reach before `index`.
    @discardableResult
    private static func negate(backwardFrom index: Int, in items: inout [Item]) -> Bool {
        let start = max(0, index - negationReach)
        for target in stride(from: index - 1, through: start, by: -1) {
            guard items[target].clause == items[index].clause else { return false }
            if items[target].polarity != 0 {
                if items[target].negated { return false }
                items[target].negated = true
                return true
            }
        }
        return false
    }
}
