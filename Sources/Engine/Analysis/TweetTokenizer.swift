/// Splits a tweet's text into words, hashtags, mentions, URLs and emoji in a
/// single pass over its grapheme clusters.
///
/// The pass walks UTF-8 bytes: an ASCII byte followed by another ASCII byte
/// (other than CR LF) is a grapheme cluster of its own, so only the rest,
/// what is near non-ASCII text, pays for Unicode grapheme breaking.
///
/// Rules, chosen to match what people see on X:
/// - a **hashtag** is `#` (not preceded by a letter, digit, `_` or `&`)
///   followed by letters, digits and underscores of any script; a body of
///   digits only (`#1`) is a number, not a hashtag;
/// - a **mention** is `@` (not preceded by a letter, digit or `_`) followed by
///   1–15 of `[A-Za-z0-9_]`; a longer handle or one running into a
///   non-ASCII letter is not a mention (X rejects both), so e-mail addresses
///   are never mentions;
/// - a **URL** starts with `http://` or `https://` and runs to the next
///   whitespace, minus trailing `.,:;!?'"…>` and unbalanced `)` or `]`;
/// - a **word** for ``TextTokens/wordCount`` is a whitespace-separated token
///   with a letter or digit, except that each Han or kana character counts
///   as one word (CJK text has no spaces; this is how word processors count
///   it), so `東京2020` is three words;
/// - the **words** handed to the other steps are runs of letters and digits
///   (apostrophes inside are kept) outside hashtags, mentions and URLs, split
///   where the writing system changes between CJK, Hangul, Thai and the rest.
enum TweetTokenizer {
    /// Tokenizes `text`.
    static func tokenize(_ text: String) -> TextTokens {
        // `withUTF8` makes the storage contiguous (a no-op for native strings);
        // the scanner reads that copy's bytes and keeps `text` for grapheme breaking.
        var contiguous = text
        return contiguous.withUTF8 { bytes in
            var scanner = Scanner(text: text, bytes: bytes)
            scanner.scanAll()
            return scanner.tokens
        }
    }

    /// Whether `scalar` is a grapheme cluster of its own wherever it stands
    /// between ASCII characters and other such scalars: it neither extends
    /// what precedes it nor joins what follows it (no combining mark, joiner,
    /// prepended mark, regional indicator or Hangul jamo). The blocks are the
    /// letters and punctuation of the common scripts; a unit test checks
    /// every scalar in them against the standard library's grapheme breaking.
    static func isStandaloneScalar(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x00A0...0x02FF,  // Latin-1, Latin Extended, IPA, spacing modifiers
             0x0370...0x0482, 0x048A...0x052F,  // Greek, Cyrillic (not its combining marks)
             0x05D0...0x05EA,  // Hebrew letters
             0x0621...0x064A,  // Arabic letters
             0x2010...0x2027, 0x2030...0x205E,  // general punctuation
             0x3001...0x3029,  // CJK punctuation (not its tone marks)
             0x3041...0x3096, 0x309B...0x30FF,  // kana (not the combining sound marks)
             0x4E00...0x9FFF,  // CJK ideographs
             0xAC00...0xD7A3,  // Hangul syllables
             0xFF01...0xFF5E:  // fullwidth ASCII
            true
        default:
            false
        }
    }
}

/// One grapheme cluster as the scanner sees it.
private struct Grapheme {
    var cls: CharacterClass
    /// The value of the cluster's only scalar; `nil` when it has several.
    /// Comparing it stands in for comparing the `Character` with a literal
    /// such as `"h"` or `"¿"`: none of those literals is the canonical
    /// equivalent of another character or sequence.
    var singleScalar: UInt32?
    /// `Character.isASCII`: one ASCII scalar, or CR LF.
    var isASCII: Bool
    /// The first scalar, kept for emoji.
    var firstScalar: Unicode.Scalar
}

/// The tokenizer's state between two grapheme clusters.
private struct Scanner {
    private enum Mode {
        case text
        case hashtag
        case mention
        case url
    }

    let text: String
    /// The UTF-8 bytes of `text`; every position below is an offset into them.
    let bytes: UnsafeBufferPointer<UInt8>
    var tokens = TextTokens()

    private var mode = Mode.text

    // The word being collected (`wordEnd` stops before a trailing apostrophe).
    private var wordStart: Int?
    private var wordEnd = 0
    private var wordGroup = WordGroup.alphabetic
    private var wordHasLetter = false
    private var wordHasNonASCII = false
    private var wordHasCurlyApostrophe = false
    private var apostrophePending = false
    private var clauseBreakPending = true

    // The hashtag body, mention body or URL being collected.
    private var entityStart = 0
    private var hashtagHasLetter = false
    private var mentionLength = 0

    /// The previous character was a letter, digit, `_` or `&`: `#` and `@`
    /// right after one do not open a hashtag or mention (`C#`, `a@b.com`, `&#39;`).
    private var previousIsWordlike = false
    /// A letter or digit of the current non-CJK stretch was already counted as a word.
    private var countedInSegment = false

    // The current whitespace-separated chunk, checked for ASCII emoticons.
    private var chunkStart = 0
    private var chunkLength = 0
    private var chunkMayBeEmoticon = false

    init(text: String, bytes: UnsafeBufferPointer<UInt8>) {
        self.text = text
        self.bytes = bytes
    }

    /// Consumes every grapheme cluster of the text, then finishes.
    mutating func scanAll() {
        let count = bytes.count
        var position = 0
        while position < count {
            let byte = bytes[position]
            let next = position + 1
            if byte < 0x80 && (next == count || (bytes[next] < 0x80 && !(byte == 0x0D && bytes[next] == 0x0A))) {
                let grapheme = Grapheme(
                    cls: CharacterClass(ascii: byte), singleScalar: UInt32(byte), isASCII: true,
                    firstScalar: Unicode.Scalar(byte)
                )
                consume(grapheme, start: position, end: next)
                position = next
                continue
            }
            if byte >= 0x80 {
                let (scalar, width) = decodeScalar(at: position)
                let end = position + width
                if TweetTokenizer.isStandaloneScalar(scalar.value)
                    && (end == count || bytes[end] < 0x80
                        || TweetTokenizer.isStandaloneScalar(decodeScalar(at: end).scalar.value))
                {
                    let grapheme = Grapheme(
                        cls: CharacterClass(singleScalar: scalar), singleScalar: scalar.value, isASCII: false,
                        firstScalar: scalar
                    )
                    consume(grapheme, start: position, end: end)
                    position = end
                    continue
                }
            }
            // Anything else (or CR LF): let the standard library find the cluster.
            let index = text.utf8.index(text.utf8.startIndex, offsetBy: position)
            var clusters = text[index...].makeIterator()
            let character = clusters.next()!
            let scalars = character.unicodeScalars
            let first = scalars.first!
            let isSingleScalar = scalars.index(after: scalars.startIndex) == scalars.endIndex
            let grapheme = Grapheme(
                cls: CharacterClass(character), singleScalar: isSingleScalar ? first.value : nil,
                isASCII: character.isASCII, firstScalar: first
            )
            let end = position + character.utf8.count
            consume(grapheme, start: position, end: end)
            position = end
        }
        finish()
    }

    /// The scalar whose UTF-8 encoding starts at `position`, and its length in bytes.
    private func decodeScalar(at position: Int) -> (scalar: Unicode.Scalar, width: Int) {
        let lead = UInt32(bytes[position])
        func continuation(_ offset: Int) -> UInt32 { UInt32(bytes[position + offset] & 0x3F) }
        let value: UInt32
        let width: Int
        switch lead {
        case 0..<0x80:
            return (Unicode.Scalar(UInt8(lead)), 1)
        case 0xC0..<0xE0:
            value = (lead & 0x1F) << 6 | continuation(1)
            width = 2
        case 0xE0..<0xF0:
            value = (lead & 0x0F) << 12 | continuation(1) << 6 | continuation(2)
            width = 3
        default:
            value = (lead & 0x07) << 18 | continuation(1) << 12 | continuation(2) << 6 | continuation(3)
            width = 4
        }
        // A `String` holds valid UTF-8, so the value is a scalar.
        return (Unicode.Scalar(value)!, width)
    }

    private mutating func consume(_ grapheme: Grapheme, start: Int, end: Int) {
        tokens.characterCount += 1
        let cls = grapheme.cls
        let scalar = grapheme.singleScalar

        countWords(cls)
        if cls == .emoji {
            tokens.emojiCount += 1
            tokens.emojiBases.append(grapheme.firstScalar)
        }
        trackChunk(cls, singleScalar: scalar, start: start)

        switch mode {
        case .url:
            guard cls == .whitespace else { return }
            finishURL(end: start)
            mode = .text
        case .hashtag:
            if cls.isWordCharacter || cls == .underscore {
                if case .letter = cls { hashtagHasLetter = true }
                previousIsWordlike = true
                return
            }
            finishHashtag(end: start)
            mode = .text
        case .mention:
            if grapheme.isASCII && (cls.isWordCharacter || cls == .underscore) {
                mentionLength += 1
                previousIsWordlike = true
                return
            }
            finishMention(end: start, runsIntoWord: cls.isWordCharacter)
            mode = .text
        case .text:
            break
        }

        switch cls {
        case .letter(let script):
            if (scalar == 0x68 || scalar == 0x48) && !previousIsWordlike && startsURL(at: start) {  // h H
                closeWord()
                mode = .url
                entityStart = start
                previousIsWordlike = true
                return
            }
            tokens.lettersPerScript[script.rawValue] += 1
            let group = script.wordGroup
            if wordStart == nil || group != wordGroup {
                closeWord()
                openWord(start: start, end: end, group: group)
            } else {
                wordEnd = end
                apostrophePending = false
            }
            wordHasLetter = true
            if !grapheme.isASCII { wordHasNonASCII = true }
        case .digit:
            if wordStart == nil || wordGroup == .cjk {
                closeWord()
                openWord(start: start, end: end, group: .alphabetic)
            } else {
                wordEnd = end
                apostrophePending = false
            }
        case .apostrophe:
            if wordStart != nil && !apostrophePending {
                apostrophePending = true
                if scalar != 0x27 { wordHasCurlyApostrophe = true }  // anything but '
            } else {
                closeWord()
            }
        case .hash:
            closeWord()
            if !previousIsWordlike {
                mode = .hashtag
                entityStart = end
                hashtagHasLetter = false
            }
        case .at:
            closeWord()
            if !previousIsWordlike {
                mode = .mention
                entityStart = end
                mentionLength = 0
            }
        case .sentenceEnd, .clauseBreak, .emoji:
            closeWord()
            clauseBreakPending = true
            if scalar == 0xBF || scalar == 0xA1 { tokens.invertedMarks += 1 }  // ¿ ¡
        case .whitespace, .underscore, .symbol:
            closeWord()
        }
        previousIsWordlike = cls.isWordCharacter || cls == .underscore || scalar == 0x26  // &
    }

    private mutating func finish() {
        let end = bytes.count
        switch mode {
        case .url: finishURL(end: end)
        case .hashtag: finishHashtag(end: end)
        case .mention: finishMention(end: end, runsIntoWord: false)
        case .text: break
        }
        closeWord()
        endChunk(at: end)
    }

    /// The text between two byte offsets, which lie on scalar boundaries.
    private func string(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    // MARK: Words

    private mutating func countWords(_ cls: CharacterClass) {
        switch cls {
        case .whitespace:
            countedInSegment = false
        case .letter(let script) where script.isCJK:
            tokens.wordCount += 1
            countedInSegment = false
        case .letter, .digit:
            if !countedInSegment {
                tokens.wordCount += 1
                countedInSegment = true
            }
        default:
            break
        }
    }

    private mutating func openWord(start: Int, end: Int, group: WordGroup) {
        wordStart = start
        wordEnd = end
        wordGroup = group
        wordHasLetter = false
        wordHasNonASCII = false
        wordHasCurlyApostrophe = false
        apostrophePending = false
    }

    private mutating func closeWord() {
        guard let start = wordStart else { return }
        wordStart = nil
        apostrophePending = false
        var word = lowercasedWord(start, wordEnd)
        if wordHasCurlyApostrophe {
            word = String(String.UnicodeScalarView(word.unicodeScalars.map { $0 == "\u{2019}" ? "'" : $0 }))
        }
        tokens.words.append(
            WordToken(
                text: word,
                group: wordGroup,
                isNumeric: !wordHasLetter,
                hasNonASCII: wordHasNonASCII,
                startsClause: clauseBreakPending
            )
        )
        clauseBreakPending = false
    }

    /// `String.lowercased()` of the bytes between two offsets, done byte by byte when they are ASCII.
    private func lowercasedWord(_ start: Int, _ end: Int) -> String {
        let word = UnsafeBufferPointer(rebasing: bytes[start..<end])
        guard word.allSatisfy({ $0 < 0x80 }) else {
            return String(decoding: word, as: UTF8.self).lowercased()
        }
        return String(unsafeUninitializedCapacity: word.count) { buffer in
            for (offset, byte) in word.enumerated() {
                buffer[offset] = (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
            }
            return word.count
        }
    }

    // MARK: Entities

    /// Whether `http://` or `https://` (any case) followed by a non-space starts at `start`.
    private func startsURL(at start: Int) -> Bool {
        var position = start
        func next() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }
        for expected in "http".utf8 {
            guard let byte = next(), byte | 0x20 == expected else { return false }
        }
        var byte = next()
        if let current = byte, current | 0x20 == UInt8(ascii: "s") { byte = next() }
        guard byte == UInt8(ascii: ":"), next() == UInt8(ascii: "/"), next() == UInt8(ascii: "/") else {
            return false
        }
        guard let following = next() else { return false }
        return following > 0x20
    }

    private mutating func finishURL(end: Int) {
        let utf8 = text.utf8
        let startIndex = utf8.index(utf8.startIndex, offsetBy: entityStart)
        var url = text[startIndex..<utf8.index(startIndex, offsetBy: end - entityStart)]
        var unbalancedParentheses = 0
        var unbalancedBrackets = 0
        for character in url {
            switch character {
            case "(": unbalancedParentheses -= 1
            case ")": unbalancedParentheses += 1
            case "[": unbalancedBrackets -= 1
            case "]": unbalancedBrackets += 1
            default: break
            }
        }
        // Trailing punctuation belongs to the sentence, except a closing bracket
        // the URL itself opened (Wikipedia's `Swift_(programming_language)`).
        while let last = url.last {
            if Self.urlTrailingPunctuation.contains(last) {
                url.removeLast()
            } else if last == ")" && unbalancedParentheses > 0 {
                unbalancedParentheses -= 1
                url.removeLast()
            } else if last == "]" && unbalancedBrackets > 0 {
                unbalancedBrackets -= 1
                url.removeLast()
            } else {
                break
            }
        }
        let schemeLength = url.utf8.dropFirst(4).first.map { $0 | 0x20 == UInt8(ascii: "s") } == true ? 8 : 7
        let length = url.utf8.count
        guard length > schemeLength else { return }
        tokens.urls.append(String(url))
        tokens.urlRanges.append(entityStart..<(entityStart + length))
    }

    private static let urlTrailingPunctuation: Set<Character> = [
        ".", ",", ":", ";", "!", "?", "'", "\"", "’", "”", "»", ">", "…",
    ]

    private mutating func finishHashtag(end: Int) {
        guard end > entityStart else { return }
        let body = string(entityStart, end)
        if hashtagHasLetter {
            tokens.hashtags.append(body)
        } else {
            // `#1` is a number in running text, not a topic.
            tokens.words.append(
                WordToken(
                    text: body, group: .alphabetic, isNumeric: true, hasNonASCII: false,
                    startsClause: clauseBreakPending
                )
            )
            clauseBreakPending = false
        }
    }

    private mutating func finishMention(end: Int, runsIntoWord: Bool) {
        guard mentionLength > 0 else { return }
        if mentionLength <= 15 && !runsIntoWord {
            tokens.mentions.append(string(entityStart, end))
            return
        }
        // Not a handle X would link: the body is an ordinary word, which the
        // caller extends with the current letter or closes.
        openWord(start: entityStart, end: end, group: .alphabetic)
        wordHasLetter = bytes[entityStart..<end].contains { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
        }
    }

    // MARK: Emoticons

    private mutating func trackChunk(_ cls: CharacterClass, singleScalar: UInt32?, start: Int) {
        if cls == .whitespace {
            endChunk(at: start)
            return
        }
        if chunkLength == 0 {
            chunkStart = start
            // Emoticons start with punctuation, or are `xD`, `XD`, `D:`.
            chunkMayBeEmoticon = !cls.isWordCharacter || singleScalar == 0x78 || singleScalar == 0x58 || singleScalar == 0x44
        }
        chunkLength += 1
    }

    private mutating func endChunk(at end: Int) {
        defer { chunkLength = 0 }
        guard chunkMayBeEmoticon, (2...4).contains(chunkLength) else { return }
        let chunk = string(chunkStart, end)
        if SentimentLexicon.emoticons[chunk] != nil {
            tokens.emoticons.append(chunk)
        }
    }
}
