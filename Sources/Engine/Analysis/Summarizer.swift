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
        let characters = cleanedPrefix(of: text, urlRanges: urlRanges)
        if characters.count <= limit { return String(characters) }
        if let end = sentenceEnd(in: characters), end * 3 >= limit {
            return String(characters[..<end])
        }
        return String(characters[..<wordCut(in: characters)]) + "…"
    }

    /// The first `limit + 1` characters of the text without URLs and with
    /// whitespace collapsed: one more than fits tells whether it must be shortened.
    private func cleanedPrefix(of text: String, urlRanges: [Range<Int>]) -> [Character] {
        var characters: [Character] = []
        characters.reserveCapacity(limit + 1)
        var pendingSpace = false
        var offset = 0
        var nextURL = 0
        var insideURL = false
        var justAfterURL = false
        var closerToSkip: Character?
        for character in text {
            let start = offset
            offset += character.utf8.count
            while nextURL < urlRanges.count && urlRanges[nextURL].upperBound <= start {
                nextURL += 1
            }
            if nextURL < urlRanges.count && urlRanges[nextURL].contains(start) {
                if !insideURL {
                    // `(https://…)` leaves no empty brackets behind.
                    closerToSkip = characters.last.flatMap { Self.closingBracket[$0] }
                    if closerToSkip != nil {
                        characters.removeLast()
                        if characters.last == " " { characters.removeLast() }
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
                if Self.isPunctuation(character), let last = characters.last, Self.isPunctuation(last) {
                    justAfterURL = true
                    continue
                }
            }
            if Self.isWhitespace(character) {
                pendingSpace = !characters.isEmpty
                continue
            }
            if pendingSpace {
                characters.append(" ")
                pendingSpace = false
                if characters.count > limit { break }
            }
            characters.append(character)
            if characters.count > limit { break }
        }
        return characters
    }

    /// The end of the longest run of leading sentences within the limit.
    private func sentenceEnd(in characters: [Character]) -> Int? {
        var best: Int?
        var index = 0
        while index < limit {
            let character = characters[index]
            index += 1
            guard Self.sentenceTerminators.contains(character) else { continue }
            var end = index
            while end < characters.count
                && (Self.sentenceTerminators.contains(characters[end]) || Self.closers.contains(characters[end]))
            {
                end += 1
            }
            guard end <= limit else { break }
            if Self.fullwidthTerminators.contains(character) || characters[end] == " " {
                best = end
            }
            index = end
        }
        return best
    }

    /// Where to cut so that the text before it plus `…` fits.
    private func wordCut(in characters: [Character]) -> Int {
        let budget = limit - 1
        var cut = budget
        while cut > 0 {
            if characters[cut] == " " || Self.isUnspacedScript(characters[cut - 1])
                || Self.isUnspacedScript(characters[cut])
            {
                break
            }
            cut -= 1
        }
        if cut == 0 { cut = budget }
        var end = cut
        while end > 0 && (characters[end - 1] == " " || Self.danglingPunctuation.contains(characters[end - 1])) {
            end -= 1
        }
        return end > 0 ? end : budget
    }

    /// `Character.isWhitespace` with a fast path for ASCII, which most text is.
    private static func isWhitespace(_ character: Character) -> Bool {
        if let ascii = character.asciiValue { return ascii == 0x20 || (0x09...0x0D).contains(ascii) }
        return character.unicodeScalars.first!.properties.isWhitespace
    }

    private static func isPunctuation(_ character: Character) -> Bool {
        switch CharacterClass(character) {
        case .sentenceEnd, .clauseBreak, .symbol, .apostrophe: true
        default: false
        }
    }

    private static func isUnspacedScript(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        let script = Script(scalar)
        return script.isCJK || script == .thai
    }

    private static let closingBracket: [Character: Character] = [
        "(": ")", "[": "]", "<": ">", "\"": "\"", "“": "”", "«": "»", "「": "」", "（": "）",
    ]
    private static let sentenceTerminators: Set<Character> = [".", "!", "?", "…", "。", "！", "？", "‼", "؟", "।"]
    private static let fullwidthTerminators: Set<Character> = ["。", "！", "？"]
    private static let closers: Set<Character> = [")", "]", "\"", "'", "”", "’", "»", "」", "』", "）"]
    private static let danglingPunctuation: Set<Character> = [
        ",", ";", ":", "-", "–", "—", "(", "[", "{", "/", "&", ".", "…", "、", "，", "「", "『", "\"", "“", "‘",
    ]
}
