extension LanguageDetector {
    /// Word → languages it suggests. A stop word is worth 1 and a sentiment
    /// word 0.5, divided by the number of languages that share it, so `de`
    /// (es, pt, fr, nl) says little and `the` says a lot. Built once.
    static let wordEvidence: [String: [LanguageEvidence]] = {
        var owners: [String: [LatinLanguage]] = [:]
        var sentimentOwners: [String: [LatinLanguage]] = [:]
        for language in LatinLanguage.allCases {
            for word in StopWords.words(for: language.code) {
                owners[word, default: []].append(language)
            }
            if let lexicon = SentimentLexicon.lexicon(for: language.code) {
                for word in lexicon.words.keys {
                    sentimentOwners[word, default: []].append(language)
                }
            }
        }
        var evidence: [String: [LanguageEvidence]] = [:]
        for (word, languages) in owners {
            let weight = 1 / Double(languages.count)
            evidence[word, default: []] += languages.map { LanguageEvidence($0, weight) }
        }
        for (word, languages) in sentimentOwners {
            let weight = 0.5 / Double(languages.count)
            evidence[word, default: []] += languages.map { LanguageEvidence($0, weight) }
        }
        return evidence
    }()

    /// Lowercase letters that point to some languages. Any other non-ASCII
    /// Latin letter is foreign to all of them.
    static let letterEvidence: [UInt32: [LanguageEvidence]] = [
        // Polish
        0x105: [.init(.pl, 1)], 0x119: [.init(.pl, 1)], 0x142: [.init(.pl, 1)], 0x144: [.init(.pl, 1)],
        0x15B: [.init(.pl, 1)], 0x17A: [.init(.pl, 1)], 0x17C: [.init(.pl, 1)], 0x107: [.init(.pl, 1)],
        0xF3: [.init(.pl, 0.4), .init(.es, 0.3), .init(.pt, 0.3)],  // ó
        // German and Swedish
        0xDF: [.init(.de, 1.5)],  // ß
        0xE4: [.init(.de, 0.6), .init(.sv, 0.6)],  // ä
        0xF6: [.init(.de, 0.6), .init(.sv, 0.6)],  // ö
        0xFC: [.init(.de, 0.8)],  // ü
        0xE5: [.init(.sv, 1.5)],  // å
        // Spanish and Portuguese
        0xF1: [.init(.es, 1.5)],  // ñ
        0xE3: [.init(.pt, 1.5)], 0xF5: [.init(.pt, 1.5)],  // ã õ
        0xE7: [.init(.pt, 0.6), .init(.fr, 0.6)],  // ç
        0xE1: [.init(.es, 0.3), .init(.pt, 0.3)],  // á
        0xED: [.init(.es, 0.3), .init(.pt, 0.3)],  // í
        0xFA: [.init(.es, 0.3), .init(.pt, 0.3)],  // ú
        // French and Italian
        0xE9: [.init(.fr, 0.4), .init(.es, 0.2), .init(.pt, 0.2), .init(.it, 0.1)],  // é
        0xE8: [.init(.fr, 0.6), .init(.it, 0.6)],  // è
        0xEA: [.init(.fr, 0.6), .init(.pt, 0.5)],  // ê
        0xE0: [.init(.fr, 0.4), .init(.it, 0.4), .init(.pt, 0.3)],  // à
        0xE2: [.init(.fr, 0.6), .init(.pt, 0.5)],  // â
        0xF4: [.init(.fr, 0.6), .init(.pt, 0.5)],  // ô
        0xEE: [.init(.fr, 1)], 0xFB: [.init(.fr, 1)],  // î û
        0xF9: [.init(.fr, 0.6), .init(.it, 0.5)],  // ù
        0x153: [.init(.fr, 1.5)],  // œ
        0xEB: [.init(.fr, 0.5), .init(.nl, 0.5)],  // ë
        0xEF: [.init(.fr, 0.7), .init(.nl, 0.3)],  // ï
        0xFF: [.init(.fr, 0.5)],  // ÿ
        0xEC: [.init(.it, 1)], 0xF2: [.init(.it, 1)],  // ì ò
    ]

    /// A word ending typical of one language, as UTF-8 bytes.
    struct SuffixRule: Sendable {
        var bytes: [UInt8]
        var evidence: [LanguageEvidence]
    }

    /// Suffix rules grouped by their last byte, so a word is only compared
    /// with the few endings that can match it.
    static let suffixRules: [UInt8: [SuffixRule]] = {
        let rules: [(String, [LanguageEvidence])] = [
            ("ing", [.init(.en, 0.5)]), ("ness", [.init(.en, 0.6)]), ("ly", [.init(.en, 0.3)]),
            ("ight", [.init(.en, 0.6)]), ("tion", [.init(.en, 0.25), .init(.fr, 0.25)]),
            ("ción", [.init(.es, 1)]), ("ciones", [.init(.es, 1)]), ("idad", [.init(.es, 0.6)]),
            ("mente", [.init(.es, 0.3), .init(.it, 0.3), .init(.pt, 0.3)]),
            ("ção", [.init(.pt, 1)]), ("ções", [.init(.pt, 1)]), ("ões", [.init(.pt, 0.8)]),
            ("idade", [.init(.pt, 0.6)]), ("nha", [.init(.pt, 0.5)]), ("nho", [.init(.pt, 0.5)]),
            ("zione", [.init(.it, 1)]), ("zioni", [.init(.it, 1)]), ("ità", [.init(.it, 0.8)]),
            ("issimo", [.init(.it, 0.8)]), ("issima", [.init(.it, 0.8)]), ("ggio", [.init(.it, 0.6)]),
            ("tto", [.init(.it, 0.3)]), ("cchi", [.init(.it, 0.5)]),
            ("eux", [.init(.fr, 0.6)]), ("euse", [.init(.fr, 0.6)]), ("ique", [.init(.fr, 0.3)]),
            ("aux", [.init(.fr, 0.4)]), ("ée", [.init(.fr, 0.8)]), ("ées", [.init(.fr, 0.8)]),
            ("ait", [.init(.fr, 0.5)]), ("eau", [.init(.fr, 0.6)]),
            ("ung", [.init(.de, 0.8)]), ("ungen", [.init(.de, 0.8)]), ("keit", [.init(.de, 1)]),
            ("heit", [.init(.de, 1)]), ("lich", [.init(.de, 0.7)]), ("isch", [.init(.de, 0.6)]),
            ("chen", [.init(.de, 0.4)]), ("schaft", [.init(.de, 1)]), ("ieren", [.init(.de, 0.6)]),
            ("ość", [.init(.pl, 1)]), ("ów", [.init(.pl, 0.8)]), ("ych", [.init(.pl, 0.8)]),
            ("ego", [.init(.pl, 0.3)]), ("ski", [.init(.pl, 0.4)]), ("cie", [.init(.pl, 0.4)]),
            ("szy", [.init(.pl, 0.5)]),
            ("heid", [.init(.nl, 1)]), ("lijk", [.init(.nl, 1)]), ("ijk", [.init(.nl, 0.3)]),
            ("tje", [.init(.nl, 0.8)]), ("aar", [.init(.nl, 0.5)]), ("oed", [.init(.nl, 0.5)]),
            ("ning", [.init(.sv, 0.4)]), ("het", [.init(.sv, 0.5)]), ("arna", [.init(.sv, 0.8)]),
            ("orna", [.init(.sv, 0.8)]), ("erna", [.init(.sv, 0.6)]),
        ]
        var grouped: [UInt8: [SuffixRule]] = [:]
        for (suffix, evidence) in rules {
            let bytes = Array(suffix.utf8)
            grouped[bytes.last!, default: []].append(SuffixRule(bytes: bytes, evidence: evidence))
        }
        return grouped
    }()

    /// Adds the evidence of every ending `word` has; the word must be at
    /// least two bytes longer than the ending, so `ego` or `aux` alone is
    /// judged as a word, not as an ending.
    static func addSuffixEvidence(_ word: String, to scores: inout [Double]) {
        let utf8 = word.utf8
        guard let last = utf8.last, let rules = suffixRules[last] else { return }
        let count = utf8.count
        for rule in rules where count >= rule.bytes.count + 2 {
            if utf8.reversed().starts(with: rule.bytes.reversed()) {
                for item in rule.evidence { scores[item.language] += item.weight }
            }
        }
    }

    /// French elisions (`l'`, `qu'`), Italian ones (`dell'`, `un'`) and
    /// English contractions (`'s`, `n't`, `'re`) point to their language;
    /// the word inside them counts as well.
    static func addElisionEvidence(_ word: String, to scores: inout [Double]) {
        guard let (base, kind) = Elision.split(word) else { return }
        switch kind {
        case .french:
            scores[LatinLanguage.fr.rawValue] += 0.7
            // `l'` is Italian too (`l'amore`).
            if word.hasPrefix("l'") { scores[LatinLanguage.it.rawValue] += 0.4 }
        case .italian:
            scores[LatinLanguage.it.rawValue] += 0.8
        case .english:
            scores[LatinLanguage.en.rawValue] += 0.8
        }
        if let evidence = wordEvidence[base] {
            for item in evidence { scores[item.language] += item.weight }
        }
    }
}
