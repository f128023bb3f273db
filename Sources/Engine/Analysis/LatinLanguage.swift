/// The Latin-script languages the detector scores, in tie-break order.
enum LatinLanguage: Int, CaseIterable, Sendable {
    case en, es, pt, fr, de, it, pl, nl, sv

    /// The ISO 639-1 code.
    var code: String {
        switch self {
        case .en: "en"
        case .es: "es"
        case .pt: "pt"
        case .fr: "fr"
        case .de: "de"
        case .it: "it"
        case .pl: "pl"
        case .nl: "nl"
        case .sv: "sv"
        }
    }

    /// The language with ISO 639-1 code `code`, if it is scored.
    init?(code: String) {
        guard let language = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = language
    }
}

/// How much one observation speaks for one language.
struct LanguageEvidence: Sendable {
    /// A ``LatinLanguage`` raw value.
    var language: Int
    var weight: Double

    init(_ language: LatinLanguage, _ weight: Double) {
        self.language = language.rawValue
        self.weight = weight
    }
}
