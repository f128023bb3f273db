/// Apostrophe-joined words: French and Italian elisions (`l'amour`,
/// `dell'anno`) and English contractions and possessives (`it's`, `movie's`).
enum Elision {
    /// A language an elided or contracted word points to.
    enum Kind {
        case french
        case italian
        case english
    }

    static let frenchHeads: Set<Substring> = ["l", "d", "j", "n", "c", "s", "m", "t", "qu", "jusqu", "lorsqu", "puisqu"]
    static let italianHeads: Set<Substring> = ["dell", "nell", "all", "dall", "sull", "un", "quell", "bell", "po"]
    static let englishTails: Set<Substring> = ["s", "t", "re", "ll", "ve", "m", "d"]

    /// The word inside `word` without its clitic (`amour` from `l'amour`,
    /// `movie` from `movie's`) and what kind of clitic it was; `nil` when the
    /// word has no apostrophe or the apostrophe is not a known clitic.
    static func split(_ word: String) -> (base: String, kind: Kind)? {
        // Most words have no apostrophe byte, and a word without one has no
        // `'` character; in plain ASCII the first byte is the first character.
        let utf8 = word.utf8
        guard let firstByte = utf8.firstIndex(of: UInt8(ascii: "'")) else { return nil }
        let apostrophe: String.Index
        if word.isPlainASCII {
            apostrophe = firstByte
        } else {
            // Elsewhere the byte may sit inside a larger cluster (`'` + U+0301).
            guard let character = word.firstIndex(of: "'") else { return nil }
            apostrophe = character
        }
        let head = word[..<apostrophe]
        let tail = word[word.index(after: apostrophe)...]
        if frenchHeads.contains(head) { return (String(tail), .french) }
        if italianHeads.contains(head) { return (String(tail), .italian) }
        if englishTails.contains(tail) { return (String(head), .english) }
        return nil
    }
}
