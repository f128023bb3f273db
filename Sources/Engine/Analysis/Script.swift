/// The writing system of a letter, as far as language detection and word
/// splitting need to know it.
///
/// Classification is a range switch over the scalar value rather than a
/// Unicode script property lookup: the standard library exposes no script
/// property, and a switch over a handful of blocks is the cheapest test on
/// the hot path.
enum Script: Int, CaseIterable, Sendable {
    case latin
    case greek
    case cyrillic
    case hebrew
    case arabic
    case devanagari
    case thai
    case hangul
    case hiragana
    case katakana
    case han
    case other

    /// The script of a letter scalar; scalars outside the known blocks are `.other`.
    init(_ scalar: Unicode.Scalar) {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0xAA, 0xBA, 0xC0...0x24F, 0x1E00...0x1EFF,
             0x2C60...0x2C7F, 0xA720...0xA7FF, 0xFF21...0xFF3A, 0xFF41...0xFF5A:
            self = .latin
        case 0x370...0x3FF, 0x1F00...0x1FFF:
            self = .greek
        case 0x400...0x52F, 0x1C80...0x1C8F, 0x2DE0...0x2DFF, 0xA640...0xA69F:
            self = .cyrillic
        case 0x590...0x5FF, 0xFB1D...0xFB4F:
            self = .hebrew
        case 0x600...0x6FF, 0x750...0x77F, 0x870...0x8FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF:
            self = .arabic
        case 0x900...0x97F, 0xA8E0...0xA8FF:
            self = .devanagari
        case 0xE00...0xE7F:
            self = .thai
        case 0x1100...0x11FF, 0x3130...0x318F, 0xA960...0xA97F, 0xAC00...0xD7FF, 0xFFA0...0xFFDC:
            self = .hangul
        case 0x3040...0x309F:
            self = .hiragana
        case 0x30A0...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F:
            self = .katakana
        case 0x3005, 0x3007, 0x3021...0x3029, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF,
             0x20000...0x3FFFF:
            self = .han
        default:
            self = .other
        }
    }

    /// Scripts written without spaces between words, where each character is
    /// counted as one word (the convention of word processors for CJK text).
    var isCJK: Bool {
        switch self {
        case .han, .hiragana, .katakana: true
        default: false
        }
    }

    /// Which run of letters a character belongs to when text is split into
    /// words: a change of group starts a new word, so `iPhoneを買った`
    /// yields `iphone` and `を買った` rather than one mixed token.
    var wordGroup: WordGroup {
        switch self {
        case .han, .hiragana, .katakana: .cjk
        case .hangul: .hangul
        case .thai: .thai
        default: .alphabetic
        }
    }
}

/// Families of scripts that are tokenized the same way.
enum WordGroup: Sendable, Equatable {
    /// Space-separated alphabets (Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari, …).
    case alphabetic
    /// Han ideographs and kana, written without spaces.
    case cjk
    /// Korean, space-separated but agglutinative (particles attach to words).
    case hangul
    /// Thai, written without spaces between words.
    case thai
}
