/// Detects the language of a tweet from its text, without a model or network.
///
/// Two stages, cheapest first:
/// 1. **Script.** Letters are counted per writing system (hashtags, mentions
///    and URLs excluded). Han characters weigh 3 and kana and Hangul 2,
///    because one of them carries about as much as a short Latin word;
///    that keeps `iPhoneを買った` Japanese. Kana make Japanese (when at least
///    a tenth of the CJK characters are kana, so a stray `の` in Chinese does
///    not), Han alone Chinese, Hangul Korean, and Greek, Hebrew, Thai,
///    Arabic and Devanagari map to `el`, `he`, `th`, `ar`, `hi`.
/// 2. **Words.** Cyrillic is told apart as Russian or Ukrainian by letters
///    only one of them uses (ы э ё ъ / і ї є ґ) and by function words. Latin
///    text is scored for en, es, pt, fr, de, it, pl, nl and sv by function
///    words and sentiment words (each worth less the more languages share it),
///    letters one language owns (ł, ñ, ã, ß, å, …), typical endings (-ción,
///    -ção, -zione, -keit, -ość, …), elisions (`l'`, `dell'`, `n't`) and `¿¡`.
///
/// The producer's `lang` never overrides clear evidence: it only decides
/// between candidates the text supports about equally (scores within 0.3,
/// Han-only text that may be Japanese, Devanagari that may be Marathi or
/// Nepali), or confirms a Latin language the text supports too thinly on
/// its own. Text with too little evidence (fewer than two letters, or Latin
/// text whose best score is below max(0.5, 0.15 × words), unless the hint
/// names a language scoring at least 0.5 and within 0.3 of the best) or with
/// several letters no modelled Latin language uses (ş, ř, ő, ø, …, as in
/// Turkish or Czech) is `und`.
public struct LanguageDetector: Sendable {
    /// The code returned when the language cannot be told.
    public static let undetermined = "und"

    /// Creates a detector; all tables are static and built once.
    public init() {}

    /// The ISO 639-1 code of the language `text` is written in, or `und`.
    /// - Parameters:
    ///   - text: the tweet text; hashtags, mentions and URLs are ignored.
    ///   - hint: the language the producer claims (BCP 47, such as `pt-BR`),
    ///     used only to break ties or confirm thin evidence (see the type's documentation).
    public func detect(_ text: String, hint: String? = nil) -> String {
        detect(TweetTokenizer.tokenize(text), hint: hint)
    }

    /// Detects the language from already tokenized text.
    func detect(_ tokens: TextTokens, hint rawHint: String?) -> String {
        let hint = rawHint.flatMap(Self.normalizedHint)
        let kana = tokens.letters(.hiragana) + tokens.letters(.katakana)
        let han = tokens.letters(.han)
        // Candidates in a fixed order, so that equal scores resolve the same way every time.
        let candidates: [(script: Script, score: Int)] = [
            (.latin, tokens.letters(.latin)),
            (.cyrillic, tokens.letters(.cyrillic)),
            (.arabic, tokens.letters(.arabic)),
            (.han, 3 * han + 2 * kana),
            (.hangul, 2 * tokens.letters(.hangul)),
            (.greek, tokens.letters(.greek)),
            (.hebrew, tokens.letters(.hebrew)),
            (.devanagari, tokens.letters(.devanagari)),
            (.thai, tokens.letters(.thai)),
        ]
        var best = candidates[0]
        for candidate in candidates.dropFirst() where candidate.score > best.score {
            best = candidate
        }
        guard best.score >= 2 else { return Self.undetermined }

        switch best.script {
        case .han:
            if kana > 0 && kana * 10 >= han + kana { return "ja" }
            return hint == "ja" ? "ja" : "zh"
        case .hangul:
            return "ko"
        case .greek:
            return "el"
        case .hebrew:
            return "he"
        case .thai:
            return "th"
        case .devanagari:
            return hint.flatMap { Self.devanagariLanguages.contains($0) ? $0 : nil } ?? "hi"
        case .arabic:
            return detectArabicScript(tokens, hint: hint)
        case .cyrillic:
            return detectCyrillic(tokens, hint: hint)
        default:
            return detectLatin(tokens, hint: hint)
        }
    }

    /// The primary language subtag of a BCP 47 tag, lowercased, with legacy
    /// codes mapped (`iw` → `he`); `nil` for X's pseudo-languages (`und`,
    /// `qme`, `zxx`, …) and anything that is not a language code.
    static func normalizedHint(_ tag: String) -> String? {
        let primary = tag.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map { $0.lowercased() } ?? ""
        guard (2...3).contains(primary.utf8.count),
              primary.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }),
              !primary.hasPrefix("q"), primary != "und", primary != "zxx", primary != "mul"
        else { return nil }
        switch primary {
        case "iw": return "he"
        case "in": return "id"
        case "ji": return "yi"
        default: return primary
        }
    }

    private static let devanagariLanguages: Set<String> = ["hi", "mr", "ne", "sa", "mai", "bho", "kok"]
    private static let arabicScriptLanguages: Set<String> = ["fa", "ur", "ps", "ku", "sd", "ug"]
    private static let otherCyrillicLanguages: Set<String> = ["bg", "sr", "mk", "be", "kk", "ky", "mn", "tg"]
    /// Letters of Persian and Urdu that Arabic does not use (پ چ ژ گ ک ی ٹ ڈ ڑ ں ے ہ).
    private static let persoArabicLetters: Set<UInt32> = [
        0x67E, 0x686, 0x698, 0x6AF, 0x6A9, 0x6CC, 0x679, 0x688, 0x691, 0x6BA, 0x6D2, 0x6C1,
    ]
    /// How close a hinted language must score to the best one to win the tie.
    static let tieMargin = 0.3

    /// Arabic unless the hint names another Arabic-script language and the
    /// text has a letter only that family uses.
    private func detectArabicScript(_ tokens: TextTokens, hint: String?) -> String {
        guard let hint, Self.arabicScriptLanguages.contains(hint) else { return "ar" }
        for word in tokens.words where word.hasNonASCII {
            if word.text.unicodeScalars.contains(where: { Self.persoArabicLetters.contains($0.value) }) {
                return hint
            }
        }
        return "ar"
    }

    private func detectCyrillic(_ tokens: TextTokens, hint: String?) -> String {
        var russian = 0.0
        var ukrainian = 0.0
        var russianLetters = 0.0
        var ukrainianLetters = 0.0
        for word in tokens.words where word.hasNonASCII && !word.isNumeric {
            for scalar in word.text.unicodeScalars {
                switch scalar.value {
                case 0x44B, 0x44D, 0x451, 0x44A: russianLetters += 1  // ы э ё ъ
                case 0x456, 0x457, 0x454, 0x491: ukrainianLetters += 1.5  // і ї є ґ
                default: break
                }
            }
            guard word.isListable else { continue }
            let inRussian = StopWords.russian.contains(word.text)
            let inUkrainian = StopWords.ukrainian.contains(word.text)
            let weight = inRussian && inUkrainian ? 0.5 : 1
            if inRussian { russian += weight }
            if inUkrainian { ukrainian += weight }
        }
        if let hint, Self.otherCyrillicLanguages.contains(hint), russianLetters == 0, ukrainianLetters == 0 {
            return hint
        }
        russian += min(russianLetters, 4)
        ukrainian += min(ukrainianLetters, 4)
        let best = max(russian, ukrainian)
        if hint == "uk" && ukrainian >= best - Self.tieMargin { return "uk" }
        if hint == "ru" && russian >= best - Self.tieMargin { return "ru" }
        return ukrainian > russian ? "uk" : "ru"
    }

    private func detectLatin(_ tokens: TextTokens, hint: String?) -> String {
        let languages = LatinLanguage.allCases
        var wordScores = [Double](repeating: 0, count: languages.count)
        var spellingScores = [Double](repeating: 0, count: languages.count)
        var latinWords = 0
        var latinTextBytes = 0
        var foreignLetters = 0

        for word in tokens.words where word.group == .alphabetic && !word.isNumeric {
            if word.hasNonASCII {
                guard let first = word.text.unicodeScalars.first, Script(first) == .latin else { continue }
            }
            latinWords += 1
            latinTextBytes += word.text.utf8.count
            guard word.isListable else { continue }
            if let evidence = Self.wordEvidence[word.text] {
                for item in evidence { wordScores[item.language] += item.weight }
            } else if word.text.utf8.contains(UInt8(ascii: "'")) {
                Self.addElisionEvidence(word.text, to: &wordScores)
            }
            Self.addSuffixEvidence(word.text, to: &spellingScores)
            if word.hasNonASCII {
                for scalar in word.text.unicodeScalars where scalar.value >= 0x80 {
                    if let evidence = Self.letterEvidence[scalar.value] {
                        for item in evidence { spellingScores[item.language] += item.weight }
                    } else if Self.isLatinLetter(scalar) {
                        foreignLetters += 1
                    }
                }
            }
        }
        spellingScores[LatinLanguage.es.rawValue] += 1.5 * Double(tokens.invertedMarks)

        // Several letters none of the modelled languages uses: a language we do
        // not know (Turkish, Czech, Vietnamese, …) rather than a poor guess.
        if foreignLetters >= 2 && foreignLetters * 40 >= latinTextBytes { return Self.undetermined }

        // Spelling is capped so a long word full of accents cannot outvote grammar.
        let scores = zip(wordScores, spellingScores).map { $0 + min($1, 4) }
        var bestIndex = 0
        for index in scores.indices where scores[index] > scores[bestIndex] {
            bestIndex = index
        }
        let bestScore = scores[bestIndex]
        let enoughEvidence = bestScore >= max(0.5, 0.15 * Double(latinWords))
        if let hint, let hinted = LatinLanguage(code: hint) {
            let hintedScore = scores[hinted.rawValue]
            // A tie goes to the producer's claim; and when the evidence is thin for the text's length
            // (a short tweet of mostly content words), a claim the text supports settles it.
            if hintedScore >= bestScore - Self.tieMargin, enoughEvidence || hintedScore >= 0.5 {
                return hinted.code
            }
        }
        guard enoughEvidence else { return Self.undetermined }
        return languages[bestIndex].code
    }

    /// Whether a non-ASCII scalar is a Latin letter (for the foreign-letter check).
    private static func isLatinLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0xD7, 0xF7: false
        case 0xC0...0x24F, 0x1E00...0x1EFF: true
        default: false
        }
    }
}
