/// Picks the topics of a tweet: its hashtags, then its most frequent keywords.
///
/// - Hashtags come first, lowercased, each once, in order of appearance:
///   the author chose them as topics.
/// - Keywords are words of at least three letters (and at most 64 UTF-8
///   bytes: longer ones are garbage) that are not numbers,
///   not stop words of the detected language or of English, and not
///   negators or intensifiers; URLs and mentions never get here. Elisions
///   and possessives are reduced to the word inside (`l'amour` → `amour`,
///   `swift's` → `swift`).
/// - Writing systems without spaces need their own notion of a word:
///   Japanese keywords are runs of two or more kanji or three or more
///   katakana (the kana in between are mostly grammar); Chinese keywords
///   are character bigrams that occur at least twice and contain no
///   function character (one-off bigrams are mostly noise); Korean words of
///   two or more syllables count after common particles are cut off; Thai
///   yields no keywords.
/// - More frequent keywords come first. Among equally frequent ones, words
///   naming a subject come before sentiment words (`game` before `great`,
///   which the sentiment already reports), then the earlier first
///   occurrence wins, so the result is deterministic.
public struct TopicExtractor: Sendable {
    /// How many topics are returned at most.
    public static let maximumTopics = 5

    /// Creates an extractor; stop-word lists are static and built once.
    public init() {}

    /// The topics of `text`, whose language (ISO 639-1 or `und`) is `language`.
    public func topics(in text: String, language: String) -> [String] {
        topics(from: TweetTokenizer.tokenize(text), language: language)
    }

    /// The topics of already tokenized text; `wordPolarities`, when given,
    /// holds each word's sentiment polarity as ``SentimentAnalyzer`` found it.
    func topics(from tokens: TextTokens, language: String, wordPolarities: [Double]? = nil) -> [String] {
        var topics: [String] = []
        var seen = Set<String>()
        for hashtag in tokens.hashtags {
            let topic = hashtag.lowercased()
            guard seen.insert(topic).inserted else { continue }
            topics.append(topic)
            if topics.count == Self.maximumTopics { return topics }
        }

        var counter = KeywordCounter()
        let english = SentimentLexicon.english
        let lexicon = SentimentLexicon.lexicon(for: language) ?? english
        let grammarWords = Self.grammarWords[language] ?? Self.fallbackGrammarWords
        // English is asked once when it is the text's own lexicon.
        let otherLexicon = lexicon === english ? nil : english
        func isGrammar(_ word: String) -> Bool {
            grammarWords.contains(word) || lexicon.hasNegatorAffix(word) || otherLexicon?.hasNegatorAffix(word) == true
        }
        func carriesSentiment(_ word: String) -> Bool {
            lexicon.polarity(of: word) != nil || english.polarity(of: word) != nil
        }
        for (index, word) in tokens.words.enumerated() where !word.isNumeric {
            switch word.group {
            case .alphabetic:
                guard word.isListable else { continue }
                var keyword = word.text
                var elided = false
                if let (base, _) = Elision.split(keyword) {
                    keyword = base
                    elided = true
                }
                guard keyword.unicodeScalars.count >= 3, !isGrammar(keyword), !elided || !isGrammar(word.text)
                else { continue }
                let sentiment = wordPolarities.map { $0[index] != 0 } ?? carriesSentiment(keyword)
                counter.add(keyword, carriesSentiment: sentiment)
            case .cjk where language == "ja":
                for run in Self.japaneseKeywordRuns(in: word.text) where !StopWords.japanese.contains(run) {
                    counter.add(run, carriesSentiment: lexicon.polarityInside(run) != 0)
                }
            case .cjk where language == "zh":
                for bigram in Self.chineseBigrams(in: word.text) {
                    counter.add(bigram, carriesSentiment: lexicon.polarityInside(bigram) != 0, minimumCount: 2)
                }
            case .hangul:
                guard word.isListable else { continue }
                let keyword = Self.withoutKoreanParticle(word.text)
                guard keyword.count >= 2, !StopWords.korean.contains(keyword), !lexicon.isNegator(word.text),
                      !Self.koreanPredicateEndings.contains(where: keyword.hasSuffix)
                else { continue }
                counter.add(keyword, carriesSentiment: lexicon.polarityInside(keyword) != 0)
            case .cjk, .thai:
                continue
            }
        }

        for keyword in counter.ranked() where keyword.count >= keyword.minimumCount {
            guard seen.insert(keyword.text).inserted else { continue }
            topics.append(keyword.text)
            if topics.count == Self.maximumTopics { break }
        }
        return topics
    }

    /// The words that are never keywords in text of one language: its stop
    /// words and English ones, and the negators and intensifiers of its
    /// lexicon (English for languages without one) and of English. Merged
    /// once so that a word costs one set lookup instead of six.
    private static let grammarWords: [String: Set<String>] = {
        let languages = [
            "en", "es", "pt", "fr", "de", "it", "pl", "nl", "sv", "ru", "uk", "ar", "ko", "hi", "el", "he", "ja", "zh",
        ]
        return Dictionary(uniqueKeysWithValues: languages.map { ($0, grammarWords(for: $0)) })
    }()

    /// ``grammarWords`` of a language with neither stop words nor a lexicon.
    private static let fallbackGrammarWords = grammarWords(for: LanguageDetector.undetermined)

    private static func grammarWords(for language: String) -> Set<String> {
        let english = SentimentLexicon.english
        let lexicon = SentimentLexicon.lexicon(for: language) ?? english
        return StopWords.words(for: language).union(StopWords.english)
            .union(lexicon.negators).union(lexicon.intensifiers)
            .union(english.negators).union(english.intensifiers)
    }

    /// Kanji runs of two or more and katakana runs of three or more characters.
    static func japaneseKeywordRuns(in word: String) -> [String] {
        var runs: [String] = []
        var current = ""
        var currentScript = Script.other
        func flush() {
            let minimum = currentScript == .han ? 2 : 3
            if (currentScript == .han || currentScript == .katakana) && current.count >= minimum {
                runs.append(current)
            }
            current = ""
        }
        for character in word {
            let script = character.unicodeScalars.first.map(Script.init) ?? .other
            if script != currentScript {
                flush()
                currentScript = script
            }
            current.append(character)
        }
        flush()
        return runs
    }

    /// Overlapping character bigrams without Chinese function characters.
    static func chineseBigrams(in word: String) -> [String] {
        let characters = Array(word)
        guard characters.count >= 2 else { return [] }
        var bigrams: [String] = []
        for index in 0..<(characters.count - 1) {
            let pair = characters[index...index + 1]
            guard !pair.contains(where: StopWords.chineseFunctionCharacters.contains) else { continue }
            let bigram = String(pair)
            if !StopWords.chinese.contains(bigram) { bigrams.append(bigram) }
        }
        return bigrams
    }

    /// Korean particles glued to nouns, longest first.
    private static let koreanParticles = [
        "에서", "에게", "으로", "까지", "부터", "처럼", "보다", "은", "는", "이", "가", "을", "를", "에", "의", "도", "로",
        "와", "과", "랑", "만",
    ]

    /// Endings of Korean verbs and adjectives (`좋아요`, `갔다`), which are not topics.
    private static let koreanPredicateEndings = ["요", "다", "죠", "까"]

    /// `서울에서` → `서울`, when at least two syllables remain.
    static func withoutKoreanParticle(_ word: String) -> String {
        for particle in koreanParticles where word.hasSuffix(particle) {
            let stem = word.dropLast(particle.count)
            if stem.count >= 2 { return String(stem) }
        }
        return word
    }
}

/// Counts keywords and remembers where each first appeared.
private struct KeywordCounter {
    struct Entry {
        var text: String
        var count: Int
        var first: Int
        var carriesSentiment: Bool
        /// How often the keyword must occur to count (Chinese bigrams: twice).
        var minimumCount: Int
    }

    private var positions: [String: Int] = [:]
    private var entries: [Entry] = []

    mutating func add(_ keyword: String, carriesSentiment: Bool, minimumCount: Int = 1) {
        // Finds the keyword's position or inserts the next one with a single hash.
        let nextPosition = entries.count
        let position = Self.value(&positions[keyword, default: nextPosition])
        if position != nextPosition {
            entries[position].count += 1
        } else {
            entries.append(
                Entry(
                    text: keyword, count: 1, first: entries.count, carriesSentiment: carriesSentiment,
                    minimumCount: minimumCount
                )
            )
        }
    }

    /// The value behind an `inout` access, through which a dictionary's
    /// defaulted subscript inserts a missing key in the same lookup.
    private static func value(_ value: inout Int) -> Int {
        value
    }

    /// Most frequent first; among equals, subject words before sentiment
    /// words, then in order of first appearance.
    func ranked() -> [Entry] {
        entries.sorted { lhs, rhs in
            if lhs.count != rhs.count { return lhs.count > rhs.count }
            if lhs.carriesSentiment != rhs.carriesSentiment { return !lhs.carriesSentiment }
            return lhs.first < rhs.first
        }
    }
}
