@testable import Engine
import Testing

/// The byte and scalar shortcuts of the analysis must answer exactly as the
/// `Character` code they stand in for.
@Suite("Analysis fast paths")
struct AnalysisFastPathTests {
    static let standaloneScalars: [Unicode.Scalar] = (0x80...0x10FFFF).compactMap { value in
        TweetTokenizer.isStandaloneScalar(UInt32(value)) ? Unicode.Scalar(UInt32(value)) : nil
    }

    @Test("a standalone scalar is its own grapheme cluster next to ASCII and to itself")
    func standaloneScalarsBreakOnBothSides() {
        for scalar in Self.standaloneScalars {
            let character = String(scalar)
            #expect(("a" + character).count == 2, "U+\(String(scalar.value, radix: 16))")
            #expect((character + "a").count == 2, "U+\(String(scalar.value, radix: 16))")
            #expect((character + character).count == 2, "U+\(String(scalar.value, radix: 16))")
        }
    }

    @Test("a single scalar is classified as its Character is")
    func singleScalarClassification() {
        let samples = Self.standaloneScalars + [0x2600, 0x2764, 0x1F600, 0x1F44D, 0x2122, 0x2139, 0x24C2, 0x0660, 0x3000]
            .compactMap(Unicode.Scalar.init)
        for scalar in samples {
            #expect(CharacterClass(singleScalar: scalar) == CharacterClass(Character(scalar)), "U+\(String(scalar.value, radix: 16))")
        }
    }

    @Test("elisions split as a search for the apostrophe character would", arguments: [
        "l'amour", "dell'anno", "movie's", "it's", "'", "''", "a'", "'a", "qu'il", "l'\u{301}amour", "é'tait",
        "l'amour's", "don\u{2019}t", "ab", "", "j'\u{301}", "l'a\u{301}",
    ])
    func elisionMatchesCharacterSearch(word: String) {
        let expected: (String, Elision.Kind)? = {
            guard let apostrophe = word.firstIndex(of: "'") else { return nil }
            let head = word[..<apostrophe]
            let tail = word[word.index(after: apostrophe)...]
            if Elision.frenchHeads.contains(head) { return (String(tail), .french) }
            if Elision.italianHeads.contains(head) { return (String(tail), .italian) }
            if Elision.englishTails.contains(tail) { return (String(head), .english) }
            return nil
        }()
        let actual = Elision.split(word)
        #expect(actual?.base == expected?.0)
        #expect(actual?.kind == expected?.1)
    }

    @Test("plain ASCII excludes CR, which joins LF into one character")
    func plainASCII() {
        #expect("hello world".isPlainASCII)
        #expect(!"a\r\nb".isPlainASCII)
        #expect(!"café".isPlainASCII)
    }
}
