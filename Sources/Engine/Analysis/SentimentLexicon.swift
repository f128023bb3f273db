/// The sentiment words of one language, with what negates or strengthens them.
///
/// Lexicons are plain data written as space-separated word lists; a word
/// ending in `*` is a stem that matches any word starting with it, which
/// covers inflection (`dobr*` → dobry, dobra, dobrze) without a stemmer.
/// The longest matching stem wins, so `niedobr*` (negative) beats `dobr*`.
/// Every lexicon is a `static let`, built once on first use. It is a class
/// so that handing one around shares it instead of copying a dozen tables.
final class SentimentLexicon: Sendable {
    /// Exact words and their polarity (+1 positive, -1 negative).
    let words: [String: Double]
    /// Stems (prefixes) and their polarity.
    let stems: [String: Double]
    /// Words that negate what follows (`not`, `nie`, `nicht`).
    let negators: Set<String>
    /// Beginnings that make a word a negator (French `n'`, Korean `않`).
    let negatorPrefixes: [String]
    /// Endings that make a word a negator (English `n't`).
    let negatorSuffixes: [String]
    /// Words that strengthen the next sentiment word (`very`, `sehr`, `bardzo`).
    let intensifiers: Set<String>
    /// The language may put the negation after the word it negates
    /// (`Das gefällt mir nicht`, `j'aime pas`, `좋지 않아`).
    let allowsPostposedNegation: Bool
    /// Prefixes glued to words that are stripped before lookup (Arabic `و`, `ال`).
    let clitics: [String]
    /// Words are found inside longer tokens (Japanese, Chinese, Korean),
    /// because those languages do not separate words with spaces or glue
    /// particles to them.
    let matchesInsideWords: Bool
    /// Characters that negate an in-word match right before it (Chinese `不`, Korean `안`).
    let inlineNegationBefore: Set<Character>
    let inlineNegationBeforeWindow: Int
    /// Strings that negate an in-word match right after it (Japanese `ない`, Korean `않`).
    let inlineNegationAfter: [[Character]]
    let inlineNegationAfterWindow: Int

    /// What a listed word does to its neighbours, in one table so that a
    /// word costs one hash lookup instead of one per list.
    struct GrammarRole: OptionSet, Sendable {
        let rawValue: UInt8
        static let negator = GrammarRole(rawValue: 1 << 0)
        static let intensifier = GrammarRole(rawValue: 1 << 1)
    }

    /// ``negators`` and ``intensifiers`` merged.
    private let grammarRoles: [String: GrammarRole]

    /// Stems grouped by their first ``stemKeyLength`` characters, longest
    /// first: one hash lookup finds the few stems a word can start with.
    private let stemBuckets: [String: [(stem: String, polarity: Double)]]
    private let stemKeyLength: Int
    /// Lengths and first characters of in-word entries, to skip positions quickly.
    private let longestWord: Int
    private let firstCharacters: Set<Character>

    /// How much a negated word keeps of its polarity, reversed: "not good"
    /// is clearly negative but a little weaker than "bad".
    static let negationFactor = -0.8

    init(
        positive: String,
        negative: String,
        negators: String = "",
        negatorPrefixes: [String] = [],
        negatorSuffixes: [String] = [],
        intensifiers: String = "",
        allowsPostposedNegation: Bool = false,
        clitics: [String] = [],
        matchesInsideWords: Bool = false,
        inlineNegationBefore: Set<Character> = [],
        inlineNegationBeforeWindow: Int = 0,
        inlineNegationAfter: [String] = [],
        inlineNegationAfterWindow: Int = 0
    ) {
        var words: [String: Double] = [:]
        var stems: [String: Double] = [:]
        for (list, polarity) in [(positive, 1.0), (negative, -1.0)] {
            for entry in StopWords.list(list) {
                if entry.hasSuffix("*") {
                    stems[String(entry.dropLast())] = polarity
                } else {
                    words[entry] = polarity
                }
            }
        }
        self.words = words
        self.stems = stems
        self.negators = StopWords.list(negators)
        self.negatorPrefixes = negatorPrefixes
        self.negatorSuffixes = negatorSuffixes
        self.intensifiers = StopWords.list(intensifiers)
        var grammarRoles: [String: GrammarRole] = [:]
        for negator in self.negators {
            grammarRoles[negator, default: []].insert(.negator)
        }
        for intensifier in self.intensifiers {
            grammarRoles[intensifier, default: []].insert(.intensifier)
        }
        self.grammarRoles = grammarRoles
        self.allowsPostposedNegation = allowsPostposedNegation
        self.clitics = clitics
        self.matchesInsideWords = matchesInsideWords
        self.inlineNegationBefore = inlineNegationBefore
        self.inlineNegationBeforeWindow = inlineNegationBeforeWindow
        self.inlineNegationAfter = inlineNegationAfter.map(Array.init)
        self.inlineNegationAfterWindow = inlineNegationAfterWindow
        let keyLength = min(3, stems.keys.map(\.count).min() ?? 3)
        var buckets: [String: [(stem: String, polarity: Double)]] = [:]
        for (stem, polarity) in stems {
            buckets[String(stem.prefix(keyLength)), default: []].append((stem, polarity))
        }
        stemBuckets = buckets.mapValues { $0.sorted { ($0.stem.count, $0.stem) > ($1.stem.count, $1.stem) } }
        stemKeyLength = keyLength
        longestWord = words.keys.map(\.count).max() ?? 0
        firstCharacters = Set(words.keys.compactMap(\.first))
    }

    /// The polarity of a whole word: exact match, then the longest stem,
    /// then the word without a clitic; `nil` when the word is not in the lexicon.
    func polarity(of word: String) -> Double? {
        if let polarity = words[word] { return polarity }
        if !stemBuckets.isEmpty, let bucket = stemBuckets[stemKey(of: word)] {
            for candidate in bucket where word.hasPrefix(candidate.stem) {
                return candidate.polarity
            }
        }
        for clitic in clitics where word.hasPrefix(clitic) {
            let rest = String(word.dropFirst(clitic.count))
            guard rest.count >= 2 else { continue }
            if let polarity = words[rest] { return polarity }
        }
        return nil
    }

    /// The first ``stemKeyLength`` characters of `word`, taken as bytes when it is plain ASCII.
    private func stemKey(of word: String) -> String {
        guard word.isPlainASCII else { return String(word.prefix(stemKeyLength)) }
        let utf8 = word.utf8
        return String(word[..<utf8.index(utf8.startIndex, offsetBy: min(stemKeyLength, utf8.count))])
    }

    /// The summed polarity of the lexicon words found inside `word`, longest
    /// match first, each reversed when an inline negation surrounds it.
    func polarityInside(_ word: String) -> Double {
        let characters = Array(word)
        var total = 0.0
        var position = 0
        while position < characters.count {
            guard firstCharacters.contains(characters[position]) else {
                position += 1
                continue
            }
            var matchedLength = 0
            for length in stride(from: min(longestWord, characters.count - position), through: 1, by: -1) {
                guard let polarity = words[String(characters[position..<(position + length)])] else { continue }
                let negated = isNegatedInline(characters, start: position, end: position + length)
                total += negated ? polarity * Self.negationFactor : polarity
                matchedLength = length
                break
            }
            position += max(matchedLength, 1)
        }
        return total
    }

    private func isNegatedInline(_ characters: [Character], start: Int, end: Int) -> Bool {
        if inlineNegationBeforeWindow > 0 {
            let from = max(0, start - inlineNegationBeforeWindow)
            if characters[from..<start].contains(where: inlineNegationBefore.contains) { return true }
        }
        if inlineNegationAfterWindow > 0 {
            let windowEnd = min(characters.count, end + inlineNegationAfterWindow)
            for marker in inlineNegationAfter where !marker.isEmpty {
                var start = end
                while start + marker.count <= windowEnd {
                    if characters[start..<(start + marker.count)].elementsEqual(marker) { return true }
                    start += 1
                }
            }
        }
        return false
    }

    /// Whether `word` negates the sentiment near it.
    func isNegator(_ word: String) -> Bool {
        grammarRole(of: word).isNegator
    }

    /// Whether `word` negates the sentiment near it and whether it is an
    /// intensifier, found with one lookup.
    func grammarRole(of word: String) -> (isNegator: Bool, isIntensifier: Bool) {
        let role = grammarRoles[word] ?? []
        return (role.contains(.negator) || hasNegatorAffix(word), role.contains(.intensifier))
    }

    /// Whether `word` starts or ends like a negator (`n'aime`, `don't`),
    /// the part of ``isNegator(_:)`` that is no set lookup.
    func hasNegatorAffix(_ word: String) -> Bool {
        negatorPrefixes.contains(where: word.hasPrefix) || negatorSuffixes.contains(where: word.hasSuffix)
    }

    /// The lexicon of an ISO 639-1 language, if there is one.
    static func lexicon(for language: String) -> SentimentLexicon? {
        switch language {
        case "en": english
        case "es": spanish
        case "pt": portuguese
        case "fr": french
        case "de": german
        case "it": italian
        case "pl": polish
        case "nl": dutch
        case "sv": swedish
        case "ru": russian
        case "ar": arabic
        case "ja": japanese
        case "zh": chinese
        case "ko": korean
        default: nil
        }
    }
}
