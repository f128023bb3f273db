/// A short extractive summary: the tweet itself when it is short, else its
/// leading sentences, else its beginning cut between words.
///
/// Steps:
/// 1. URLs are removed with the space before them (`see https://x.y.`
///    becomes `see.`), with brackets around them (`see (https://x.y) now`
///    becomes `see now`) and with punctuation after them that would double
///    what precedes them (`great! https://x.y.` becomes `great!`); runs of
///    whitespace collapse to one space.
/// 2. Text of at most `limit` characters is the summary as is.
/// 3. Otherwise the longest run of whole leading sentences that fits is
///    used, provided it fills at least a third of the limit (a lone `Wow.`
///    says nothing about a long tweet). A sentence ends at `.`, `!`, `?` or
///    `…` followed by a space (closing quotes and brackets may sit in
///    between), or at `。`, `！`, `？` anywhere. Whole sentences need no `…`.
/// 4. Otherwise the text is cut at the last word boundary that leaves room
///    for `…`: a space, or the edge of a Han, kana or Thai character (those
///    scripts do not separate words with spaces). Dangling punctuation
///    (`,`, `:`, `-`, …) before the cut is dropped. Only a single word longer
///    than the limit is cut inside, and then still between graphemes.
///
/// Lengths are grapheme clusters, so an emoji or accented letter is never split.
/// The work is bounded by the limit, not by the tweet's length.
public struct Summarizer: Sendable {
    /// The default summary length in characters, the length of a classic tweet.
    public static let defaultLimit = 140

    /// The longest summary, in characters, including a trailing `…`.
    public var limit: Int

    /// Creates a summarizer; limits below 2 are raised to 2 (one character and `…`).
    public init(limit: Int = Summarizer.defaultLimit) {
        self.limit = max(2, limit)
    }

    /// The summary of `text`.
    public func summarize(_ text: String) -> String {
        summarize(text, urlRanges: TweetTokenizer.tokenize(text).urlRanges)
    }

    /// The summary of `text`, whose URLs sit at `urlRanges` (UTF-8 offsets, ascending).
    func summarize(_ text: String, urlRanges: [Range<Int>]) -> String {
        // Plain ASCII, the common case, is summarized byte by byte: every byte
        // is a character there. Anything else falls back to characters.
        if let bytes = cleanedPrefix(of: text.utf8, urlRanges: urlRanges) {
            return summary(of: bytes) { String(decoding: $0, as: UTF8.self) }
        }
        return summary(of: cleanedPrefix(of: text, urlRanges: urlRanges)!, string: Self.string)
    }

    /// The characters joined by their UTF-8 bytes: `String(_:)` over a slice
    /// goes through an unspecialized generic path, and appending characters
    /// to a string one by one checks each for grapheme breaks, both several
    /// times slower.
    private static func string(_ characters: ArraySlice<Character>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count * 4)
        for character in characters {
            bytes.append(contentsOf: character.utf8)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func summary<Unit: SummaryCharacter>(
        of characters: [Unit], string: (ArraySlice<Unit>) -> String
    ) -> String {
        if characters.count <= limit { return string(characters[...]) }
        if let end = sentenceEnd(in: characters), end * 3 >= limit {
            return string(characters[..<end])
        }
        return string(characters[..<wordCut(in: characters)]) + "…"
    }

    /// The first `limit + 1` characters of the text without URLs and with
    /// whitespace collapsed: one more than fits tells whether it must be
    /// shortened. `nil` when a unit cannot stand for a character (a byte
    /// that is not plain ASCII).
    private func cleanedPrefix<Units: Sequence>(of text: Units, urlRanges: [Range<Int>]) -> [Units.Element]?
    where Units.Element: SummaryCharacter {
        var characters: [Units.Element] = []
        characters.reserveCapacity(limit + 1)
        var pendingSpace = false
        var offset = 0
        var nextURL = 0
        var insideURL = false
        var justAfterURL = false
        var closerToSkip: Units.Element?
        for character in text {
            guard character.isCharacter else { return nil }
            let start = offset
            offset += character.utf8Width
            while nextURL < urlRanges.count && urlRanges[nextURL].upperBound <= start {
                nextURL += 1
            }
            if nextURL < urlRanges.count && urlRanges[nextURL].contains(start) {
                if !insideURL {
                    // `(https://…)` leaves no empty brackets behind.
                    closerToSkip = characters.last.flatMap(\.closingBracket)
                    if closerToSkip != nil {
                        characters.removeLast()
                        if characters.last == .space { characters.removeLast() }
                    }
                }
                insideURL = true
                pendingSpace = false
                continue
            }
            if insideURL {
                insideURL = false
                justAfterURL = true
            }
            if justAfterURL {
                if let closer = closerToSkip, character == closer {
                    closerToSkip = nil
                    continue
                }
                closerToSkip = nil
                justAfterURL = false
                // `great! https://x.y.` keeps `great!`, not `great!.`.
                if character.isPunctuation, let last = characters.last, last.isPunctuation {
                    justAfterURL = true
                    continue
                }
            }
            if character.isWhitespace {
                pendingSpace = !characters.isEmpty
                continue
            }
            if pendingSpace {
                characters.append(.space)
                pendingSpace = false
                if characters.count > limit { break }
            }
            characters.append(character)
            if characters.count > limit { break }
        }
        return characters
    }

    /// The end of the longest run of leading sentences within the limit.
    private func sentenceEnd(in characters: [some SummaryCharacter]) -> Int? {
        var best: Int?
        var index = 0
        while index < limit {
            let character = characters[index]
            index += 1
            guard character.isSentenceTerminator else { continue }
            var end = index
            while end < characters.count && (characters[end].isSentenceTerminator || characters[end].isCloser) {
                end += 1
            }
            guard end <= limit else { break }
            if character.isFullwidthTerminator || characters[end] == .space {
                best = end
            }
            index = end
        }
        return best
    }

    /// Where to cut so that the text before it plus `…` fits.
    private func wordCut(in characters: [some SummaryCharacter]) -> Int {
        let budget = limit - 1
        var cut = budget
        while cut > 0 {
            if characters[cut] == .space || characters[cut - 1].isUnspacedScript || characters[cut].isUnspacedScript {
                break
            }
            cut -= 1
        }
        if cut == 0 { cut = budget }
        var end = cut
        while end > 0 && (characters[end - 1] == .space || characters[end - 1].isDanglingPunctuation) {
            end -= 1
        }
        return end > 0 ? end : budget
    }
}

/// One unit of the text being summarized: a `Character`, or a byte of
/// plain ASCII text, where every byte is a character of its own. The byte
/// answers come from the character ones, so both always agree.
private protocol SummaryCharacter: Equatable {
    /// The space that stands for a run of whitespace.
    static var space: Self { get }
    /// Whether the unit really is one character (false for a byte that is
    /// not plain ASCII).
    var isCharacter: Bool { get }
    var utf8Width: Int { get }
    var isWhitespace: Bool { get }
    var isPunctuation: Bool { get }
    /// The bracket or quote that closes this one.
    var closingBracket: Self? { get }
    var isSentenceTerminator: Bool { get }
    /// `。`, `！`, `？`: these end a sentence even without a space after them.
    var isFullwidthTerminator: Bool { get }
    /// Closing brackets and quotes, which may follow a sentence terminator.
    var isCloser: Bool { get }
    /// Punctuation that must not end a cut summary.
    var isDanglingPunctuation: Bool { get }
    /// A Han, kana or Thai character, after or before which a cut may fall.
    var isUnspacedScript: Bool { get }
}

extension Character: SummaryCharacter {
    static var space: Character { " " }
    var isCharacter: Bool { true }
    var utf8Width: Int { utf8.count }
    var isWhitespace: Bool { summaryTraits.contains(.whitespace) }
    var isPunctuation: Bool { summaryTraits.contains(.punctuation) }
    var closingBracket: Character? { SummaryTraits.closingBrackets[self] }
    var isSentenceTerminator: Bool { summaryTraits.contains(.sentenceTerminator) }
    var isFullwidthTerminator: Bool { summaryTraits.contains(.fullwidthTerminator) }
    var isCloser: Bool { summaryTraits.contains(.closer) }
    var isDanglingPunctuation: Bool { summaryTraits.contains(.danglingPunctuation) }
    var isUnspacedScript: Bool { summaryTraits.contains(.unspacedScript) }

    /// The traits of this character; taken from a table when it is one
    /// scalar of the Basic Multilingual Plane, as nearly every character is,
    /// because looking a `Character` up in a set hashes its normalised form.
    /// (`asciiValue` is not asked first: it compares the character with CR LF.)
    private var summaryTraits: SummaryTraits {
        let scalars = unicodeScalars
        let first = scalars.first!  // a Character always holds at least one scalar
        if first.value < 0x10000 && scalars.index(after: scalars.startIndex) == scalars.endIndex {
            return SummaryTraits.basicPlane[Int(first.value)]
        }
        return SummaryTraits(of: self)
    }
}

/// What the summarizer needs to know about one character.
private struct SummaryTraits: OptionSet {
    let rawValue: UInt8
    static let whitespace = SummaryTraits(rawValue: 1 << 0)
    static let punctuation = SummaryTraits(rawValue: 1 << 1)
    static let sentenceTerminator = SummaryTraits(rawValue: 1 << 2)
    static let fullwidthTerminator = SummaryTraits(rawValue: 1 << 3)
    static let closer = SummaryTraits(rawValue: 1 << 4)
    static let danglingPunctuation = SummaryTraits(rawValue: 1 << 5)
    static let unspacedScript = SummaryTraits(rawValue: 1 << 6)

    init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The traits of `character`, worked out from the lists below (compared
    /// as characters, so canonically equivalent spellings count too).
    init(of character: Character) {
        var traits: SummaryTraits = []
        let first = character.unicodeScalars.first!  // a Character always holds at least one scalar
        let isWhitespace: Bool
        if let ascii = character.asciiValue {
            isWhitespace = ascii == 0x20 || (0x09...0x0D).contains(ascii)
        } else {
            isWhitespace = first.properties.isWhitespace
        }
        if isWhitespace { traits.insert(.whitespace) }
        switch CharacterClass(character) {
        case .sentenceEnd, .clauseBreak, .symbol, .apostrophe: traits.insert(.punctuation)
        default: break
        }
        if Self.sentenceTerminatorsList.contains(character) { traits.insert(.sentenceTerminator) }
        if Self.fullwidthTerminatorsList.contains(character) { traits.insert(.fullwidthTerminator) }
        if Self.closersList.contains(character) { traits.insert(.closer) }
        if Self.danglingPunctuationList.contains(character) { traits.insert(.danglingPunctuation) }
        let script = Script(first)
        if script.isCJK || script == .thai { traits.insert(.unspacedScript) }
        self = traits
    }

    /// The traits of every single-scalar character of the Basic Multilingual
    /// Plane, worked out once on first use. Surrogate code points are no
    /// scalars and never asked for.
    static let basicPlane: [SummaryTraits] = (0..<0x10000).map { value in
        Unicode.Scalar(UInt32(value)).map { SummaryTraits(of: Character($0)) } ?? []
    }

    static let closingBrackets: [Character: Character] = [
        "(": ")", "[": "]", "<": ">", "\"": "\"", "“": "”", "«": "»", "「": "」", "（": "）",
    ]
    private static let sentenceTerminatorsList: Set<Character> = [".", "!", "?", "…", "。", "！", "？", "‼", "؟", "।"]
    private static let fullwidthTerminatorsList: Set<Character> = ["。", "！", "？"]
    private static let closersList: Set<Character> = [")", "]", "\"", "'", "”", "’", "»", "」", "』", "）"]
    private static let danglingPunctuationList: Set<Character> = [
        ",", ";", ":", "-", "–", "—", "(", "[", "{", "/", "&", ".", "…", "、", "，", "「", "『", "\"", "“", "‘",
    ]
}

extension UInt8: SummaryCharacter {
    static var space: UInt8 { 0x20 }
    /// CR is left to characters: CR LF is one.
    var isCharacter: Bool { self < 0x80 && self != 0x0D }
    var utf8Width: Int { 1 }
    var isWhitespace: Bool { SummaryTraits.basicPlane[Int(self)].contains(.whitespace) }
    var isPunctuation: Bool { SummaryTraits.basicPlane[Int(self)].contains(.punctuation) }
    var closingBracket: UInt8? { Self.closingBrackets[Int(self)] }
    var isSentenceTerminator: Bool { SummaryTraits.basicPlane[Int(self)].contains(.sentenceTerminator) }
    var isFullwidthTerminator: Bool { SummaryTraits.basicPlane[Int(self)].contains(.fullwidthTerminator) }
    var isCloser: Bool { SummaryTraits.basicPlane[Int(self)].contains(.closer) }
    var isDanglingPunctuation: Bool { SummaryTraits.basicPlane[Int(self)].contains(.danglingPunctuation) }
    var isUnspacedScript: Bool { SummaryTraits.basicPlane[Int(self)].contains(.unspacedScript) }

    /// ``closingBracket`` of each ASCII character, when it is ASCII too.
    private static let closingBrackets: [UInt8?] = (0..<128).map { code in
        Character(Unicode.Scalar(UInt8(code))).closingBracket.flatMap(\.asciiValue)
    }
}
