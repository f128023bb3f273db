/// Everything the analysis steps need from a tweet's text, collected in one
/// pass by ``TweetTokenizer`` so that no step walks the text again.
struct TextTokens: Sendable {
    /// Grapheme clusters in the text.
    var characterCount = 0
    /// Whitespace-separated tokens with a letter or digit; each Han or kana
    /// character counts as a word of its own (see ``TweetTokenizer``).
    var wordCount = 0
    /// Emoji grapheme clusters.
    var emojiCount = 0
    /// The first scalar of every emoji, which is enough to look up its
    /// sentiment (a skin tone or ZWJ tail does not change the feeling).
    var emojiBases: [Unicode.Scalar] = []
    /// ASCII emoticons such as `:)` or `<3` that stood alone between spaces.
    var emoticons: [String] = []
    /// Hashtags as written, without `#`, in order of appearance.
    var hashtags: [String] = []
    /// Mentioned usernames without `@`, in order of appearance.
    var mentions: [String] = []
    /// URLs with trailing punctuation removed, in order of appearance.
    var urls: [String] = []
    /// Where each URL sits, as UTF-8 offsets into the text, so the summary
    /// can drop them without scanning for them again.
    var urlRanges: [Range<Int>] = []
    /// Words outside hashtags, mentions and URLs, lowercased.
    var words: [WordToken] = []
    /// Letters per ``Script`` (indexed by raw value), counted in words only.
    var lettersPerScript = [Int](repeating: 0, count: Script.allCases.count)
    /// Inverted marks `¿` and `¡`, which only Spanish uses.
    var invertedMarks = 0

    /// Letters of one script.
    func letters(_ script: Script) -> Int {
        lettersPerScript[script.rawValue]
    }
}

/// One word of running text.
struct WordToken: Sendable, Equatable {
    /// The word, lowercased, with `’` normalised to `'`.
    var text: String
    /// How the word's letters are written.
    var group: WordGroup
    /// The word is made of digits only.
    var isNumeric: Bool
    /// The word has a letter outside ASCII (saves language hints a scan of plain words).
    var hasNonASCII: Bool
    /// Punctuation or an emoji came between this word and the previous one,
    /// so a negation before it no longer applies.
    var startsClause: Bool

    /// Words longer than this many UTF-8 bytes are in no word list (German's
    /// longest compounds stay well below), so they are never looked up:
    /// hashing a 25,000-character "word" for every list would cost a hostile
    /// tweet milliseconds.
    static let longestListedWord = 64

    /// Whether the word is short enough to be in a word list.
    var isListable: Bool {
        text.utf8.count <= Self.longestListedWord
    }
}
