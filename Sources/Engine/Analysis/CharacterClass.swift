/// What a grapheme cluster is, for the tokenizer.
///
/// Working on `Character` (grapheme clusters) rather than scalars keeps
/// combining marks inside their letter, keeps a keycap `1️⃣` from looking like
/// the digit `1`, and lets one pass both count characters and split words.
enum CharacterClass: Sendable, Equatable {
    case whitespace
    case letter(Script)
    case digit
    case emoji
    /// `#` or fullwidth `＃`, which may open a hashtag.
    case hash
    /// `@` or fullwidth `＠`, which may open a mention.
    case at
    case underscore
    /// `'` or `’`, kept inside words (`don't`, `l'amour`).
    case apostrophe
    /// Ends a sentence (`.`, `!`, `?`, `…`, `。`, …): also ends a negation scope.
    case sentenceEnd
    /// Ends a clause (`,`, `;`, `:`, brackets, `¿`, `¡`): ends a negation scope.
    case clauseBreak
    /// Any other symbol or punctuation; separates words but not clauses.
    case symbol

    /// Classifies one grapheme cluster.
    init(_ character: Character) {
        if let ascii = character.asciiValue {
            self = Self.asciiTable[Int(ascii)]
            return
        }
        let scalars = character.unicodeScalars
        let first = scalars.first!  // a Character always holds at least one scalar
        let value = first.value
        if value < 0x80 {
            // An ASCII base with combining scalars: a keycap (`1️⃣`, `#️⃣`) or an
            // accented letter written in decomposed form (`e` + U+0301).
            if scalars.contains(where: { $0.value == 0x20E3 }) {
                self = .emoji
            } else {
                self = Self.asciiTable[Int(value)]
            }
            return
        }
        if scalars.index(after: scalars.startIndex) == scalars.endIndex {
            self.init(singleScalar: first)
        } else {
            self.init(nonASCII: first) { character.isEmojiGrapheme(first: first) }
        }
    }

    /// Classifies a grapheme cluster that is the single non-ASCII scalar `scalar`;
    /// the same answer as `init(Character(scalar))`, without making the `Character`.
    init(singleScalar scalar: Unicode.Scalar) {
        if scalar.value < 0x10000 {
            self = Self.basicPlaneTable[Int(scalar.value)]
        } else {
            self.init(classifyingSingleScalar: scalar)
        }
    }

    /// ``init(singleScalar:)`` worked out from the scalar's Unicode properties.
    private init(classifyingSingleScalar scalar: Unicode.Scalar) {
        self.init(nonASCII: scalar) {
            // `Character.isEmojiGrapheme(first:)` of a cluster with no further scalars.
            scalar.properties.isEmojiPresentation || scalar.value >= 0x2600
        }
    }

    /// ``init(singleScalar:)`` of every scalar of the Basic Multilingual
    /// Plane, where nearly all text lives, worked out once on first use:
    /// a property lookup per character was a tenth of tokenizing. Surrogate
    /// code points are no scalars and never asked for.
    private static let basicPlaneTable: [CharacterClass] = (0..<0x10000).map { value in
        Unicode.Scalar(UInt32(value)).map { CharacterClass(classifyingSingleScalar: $0) } ?? .symbol
    }

    /// Classifies a cluster whose first scalar `first` is not ASCII;
    /// `isEmojiGrapheme` is asked only for a scalar that may be an emoji.
    private init(nonASCII first: Unicode.Scalar, isEmojiGrapheme: () -> Bool) {
        let value = first.value
        let properties = first.properties
        if properties.isWhitespace {
            self = .whitespace
            return
        }
        // Letterlike symbols (ℹ, Ⓜ) are alphabetic yet may be emoji; check those first.
        let letterlikeSymbol = (0x2100...0x24FF).contains(value)
        if properties.isAlphabetic && !letterlikeSymbol {
            self = .letter(Script(first))
            return
        }
        if properties.generalCategory == .decimalNumber {
            self = .digit
            return
        }
        if properties.isEmoji && isEmojiGrapheme() {
            self = .emoji
            return
        }
        if properties.isAlphabetic {
            self = .letter(Script(first))
            return
        }
        switch value {
        case 0x2019, 0x02BC:
            self = .apostrophe
        case 0xFF03:
            self = .hash
        case 0xFF20:
            self = .at
        case 0x2026, 0x3002, 0xFF01, 0xFF0E, 0xFF1F, 0x061F, 0x06D4, 0x0964, 0x0965, 0x203C, 0x2047...0x2049:
            self = .sentenceEnd
        case 0xA1, 0xBF, 0x3001, 0xFF0C, 0xFF1A, 0xFF1B, 0x060C, 0x061B, 0xFF08, 0xFF09, 0x300C...0x300F:
            self = .clauseBreak
        default:
            self = .symbol
        }
    }

    /// Classifies a grapheme cluster that is the single ASCII scalar `byte`.
    init(ascii byte: UInt8) {
        self = Self.asciiTable[Int(byte)]
    }

    /// Precomputed classes of the 128 ASCII characters.
    private static let asciiTable: [CharacterClass] = (0..<128).map { code -> CharacterClass in
        switch UInt8(code) {
        case 0x09...0x0D, 0x20: .whitespace
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): .letter(.latin)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): .digit
        case UInt8(ascii: "#"): .hash
        case UInt8(ascii: "@"): .at
        case UInt8(ascii: "_"): .underscore
        case UInt8(ascii: "'"): .apostrophe
        case UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?"): .sentenceEnd
        case UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            .clauseBreak
        default: .symbol
        }
    }

    /// Whether this character continues a word (letters and digits).
    var isWordCharacter: Bool {
        switch self {
        case .letter, .digit: true
        default: false
        }
    }
}
