/// Splits a tweet's text into words, hashtags, mentions, URLs and emoji in a
/// single pass over its grapheme clusters.
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
        var scanner = Scanner(text: text)
        for character in text {
            scanner.consume(character)
        }
        scanner.finish()
        return scanner.tokens
    }
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
    var tokens = TextTokens()

    /// Start of the character being consumed, and its UTF-8 offset.
    private var index: String.Index
    private var offset = 0
    private var mode = Mode.text

    // The word being collected (`wordEnd` stops before a trailing apostrophe).
    private var wordStart: String.Index?
    private var wordEnd: String.Index
    private var wordGroup = WordGroup.alphabetic
    private var wordHasLetter = false
    private var wordHasNonASCII = false
    private var wordHasCurlyApostrophe = false
    private var apostrophePending = false
    private var clauseBreakPending = true

    // The hashtag body, mention body or URL being collected.
    private var entityStart: String.Index
    private var entityStartOffset = 0
    private var hashtagHasLetter = false
    private var mentionLength = 0

    /// The previous character was a letter, digit, `_` or `&`: `#` and `@`
    /// right after one do not open a hashtag or mention (`C#`, `a@b.com`, `&#39;`).
    private var previousIsWordlike = false
    /// A letter or digit of the current non-CJK stretch was already counted as a word.
    private var countedInSegment = false

    // The current whitespace-separated chunk, checked for ASCII emoticons.
    private var chunkStart: String.Index
    private var chunkLength = 0
    private var chunkMayBeEmoticon = false

    init(text: String) {
        self.text = text
        index = text.startIndex
        wordEnd = text.startIndex
        entityStart = text.startIndex
        chunkStart = text.startIndex
    }

    mutating func consume(_ character: Character) {
        let start = index
        let width = character.utf8.count
        let end = text.utf8.index(start, offsetBy: width)
        defer {
            index = end
            offset += width
        }
        tokens.characterCount += 1
        let cls = CharacterClass(character)

        countWords(cls)
        if cls == .emoji {
            tokens.emojiCount += 1
            tokens.emojiBases.append(character.unicodeScalars.first!)
        }
        trackChunk(cls, character: character, start: start)

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
            if character.isASCII && (cls.isWordCharacter || cls == .underscore) {
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
            if (character == "h" || character == "H") && !previousIsWordlike && startsURL(at: start) {
                closeWord()
                mode = .url
                entityStart = start
                entityStartOffset = offset
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
            if !character.isASCII { wordHasNonASCII = true }
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
                if character != "'" { wordHasCurlyApostrophe = true }
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
            if character == "¿" || character == "¡" { tokens.invertedMarks += 1 }
        case .whitespace, .underscore, .symbol:
            closeWord()
        }
        previousIsWordlike = cls.isWordCharacter || cls == .underscore || character == "&"
    }

    mutating func finish() {
        switch mode {
        case .url: finishURL(end: text.endIndex)
        case .hashtag: finishHashtag(end: text.endIndex)
        case .mention: finishMention(end: text.endIndex, runsIntoWord: false)
        case .text: break
        }
        closeWord()
        endChunk(at: text.endIndex)
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

    private mutating func openWord(start: String.Index, end: String.Index, group: WordGroup) {
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
        var word = text[start..<wordEnd].lowercased()
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

    // MARK: Entities

    /// Whether `http://` or `https://` (any case) followed by a non-space starts at `start`.
    private func startsURL(at start: String.Index) -> Bool {
        let utf8 = text.utf8
        var position = start
        func next() -> UInt8? {
            guard position < utf8.endIndex else { return nil }
            defer { position = utf8.index(after: position) }
            return utf8[position]
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

    private mutating func finishURL(end: String.Index) {
        var url = text[entityStart..<end]
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
        tokens.urlRanges.append(entityStartOffset..<(entityStartOffset + length))
    }

    private static let urlTrailingPunctuation: Set<Character> = [
        ".", ",", ":", ";", "!", "?", "'", "\"", "’", "”", "»", ">", "…",
    ]

    private mutating func finishHashtag(end: String.Index) {
        let body = text[entityStart..<end]
        guard !body.isEmpty else { return }
        if hashtagHasLetter {
            tokens.hashtags.append(String(body))
        } else {
            // `#1` is a number in running text, not a topic.
            tokens.words.append(
                WordToken(
                    text: String(body), group: .alphabetic, isNumeric: true, hasNonASCII: false,
                    startsClause: clauseBreakPending
                )
            )
            clauseBreakPending = false
        }
    }

    private mutating func finishMention(end: String.Index, runsIntoWord: Bool) {
        guard mentionLength > 0 else { return }
        if mentionLength <= 15 && !runsIntoWord {
            tokens.mentions.append(String(text[entityStart..<end]))
            return
        }
        // Not a handle X would link: the body is an ordinary word, which the
        // caller extends with the current letter or closes.
        openWord(start: entityStart, end: end, group: .alphabetic)
        wordHasLetter = text[entityStart..<end].utf8.contains { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
        }
    }

    // MARK: Emoticons

    private mutating func trackChunk(_ cls: CharacterClass, character: Character, start: String.Index) {
        if cls == .whitespace {
            endChunk(at: start)
            return
        }
        if chunkLength == 0 {
            chunkStart = start
            // Emoticons start with punctuation, or are `xD`, `XD`, `D:`.
            chunkMayBeEmoticon = !cls.isWordCharacter || character == "x" || character == "X" || character == "D"
        }
        chunkLength += 1
    }

    private mutating func endChunk(at end: String.Index) {
        defer { chunkLength = 0 }
        guard chunkMayBeEmoticon, (2...4).contains(chunkLength) else { return }
        let chunk = String(text[chunkStart..<end])
        if SentimentLexicon.emoticons[chunk] != nil {
            tokens.emoticons.append(chunk)
        }
    }
}
