import Engine
import Testing

@Suite("Sentiment")
struct SentimentTests {
    let analyzer = SentimentAnalyzer()

    static let positive: [(language: String, text: String)] = [
        ("en", "What an amazing game, I love this team!"),
        ("es", "Hoy es un día increíble, ¡gracias a todos por venir!"),
        ("de", "Das Konzert gestern war wirklich toll, ich bin begeistert"),
        ("fr", "Je suis tellement heureux, ce film est génial"),
        ("pt", "O jogo de hoje foi incrível, parabéns ao time!"),
        ("it", "Oggi è una giornata bellissima, grazie a tutti"),
        ("pl", "Dzisiaj jest piękny dzień, wszystko jest super"),
        ("nl", "Vandaag is het echt mooi weer, geweldig"),
        ("sv", "Vilket härligt väder, jag älskar sommaren"),
        ("ja", "今日のライブは最高でした！ありがとう"),
        ("zh", "我很喜欢这个新的设计，太棒了"),
        ("ko", "오늘 날씨가 정말 좋아요! 행복해요"),
        ("ar", "اليوم جميل جدا والحمدلله"),
        ("ru", "Сегодня отличная погода, настроение супер"),
    ]

    static let negative: [(language: String, text: String)] = [
        ("en", "The new update is terrible, the app keeps crashing. So disappointed"),
        ("es", "Qué día tan horrible, el servicio fue pésimo"),
        ("de", "Der Zug hat schon wieder Verspätung, einfach schrecklich"),
        ("fr", "Service nul, je suis vraiment déçu"),
        ("pt", "Que dia horrível, o trânsito está péssimo"),
        ("it", "Servizio pessimo e cibo schifoso, che delusione"),
        ("pl", "Fatalna obsługa, jestem bardzo rozczarowany"),
        ("ja", "最悪な一日だった。悲しい"),
        ("zh", "这家餐厅的服务太糟糕了，很失望"),
        ("ko", "최악의 하루였어요. 너무 슬퍼요"),
        ("ar", "للأسف الخدمة سيئة جدا"),
        ("ru", "Ужасный сервис, я очень разочарован"),
    ]

    static let negated: [(language: String, text: String)] = [
        ("en", "This is not good"),
        ("en", "I don't love it"),
        ("es", "No es bueno"),
        ("es", "No me gusta nada este diseño"),
        ("de", "Das ist nicht gut"),
        ("de", "Das gefällt mir nicht"),
        ("fr", "Ce n'est pas bon"),
        ("fr", "Je n'aime pas ce film"),
        ("pt", "Não é bom"),
        ("it", "Non è buono"),
        ("pl", "To nie jest dobre"),
        ("ja", "この映画は面白くない"),
        ("zh", "我不喜欢这个设计"),
        ("ko", "이 영화는 좋지 않아요"),
        ("ru", "Это не хорошо"),
        ("ar", "الفيلم ليس جميل"),
    ]

    @Test("positive tweets are positive", arguments: positive)
    func positiveTweets(sample: (language: String, text: String)) {
        let sentiment = analyzer.analyze(sample.text, language: sample.language)
        #expect(sentiment.label == .positive, "\(sample.text) → \(sentiment)")
        #expect(sentiment.score >= SentimentAnalyzer.positiveThreshold)
    }

    @Test("negative tweets are negative", arguments: negative)
    func negativeTweets(sample: (language: String, text: String)) {
        let sentiment = analyzer.analyze(sample.text, language: sample.language)
        #expect(sentiment.label == .negative, "\(sample.text) → \(sentiment)")
        #expect(sentiment.score <= SentimentAnalyzer.negativeThreshold)
    }

    @Test("a negated positive word turns negative", arguments: negated)
    func negatedPositiveIsNegative(sample: (language: String, text: String)) {
        let sentiment = analyzer.analyze(sample.text, language: sample.language)
        #expect(sentiment.label == .negative, "\(sample.text) → \(sentiment)")
    }

    @Test("a negated negative word turns positive")
    func negatedNegativeIsPositive() {
        #expect(analyzer.analyze("Honestly not bad at all", language: "en").label == .positive)
        #expect(analyzer.analyze("C'est pas mal du tout", language: "fr").label == .positive)
        #expect(analyzer.analyze("Kein Problem, gern geschehen", language: "de").label == .positive)
    }

    @Test("negation does not reach past punctuation")
    func negationStopsAtPunctuation() {
        let sentiment = analyzer.analyze("Not today. The show was great", language: "en")
        #expect(sentiment.label == .positive)
    }

    @Test("French ne … pas is a single negation")
    func frenchDoubleNegationCountsOnce() {
        let sentiment = analyzer.analyze("Ce n'est pas bon", language: "fr")
        #expect(sentiment.score < 0)
    }

    @Test("factual tweets are neutral", arguments: [
        ("en", "The meeting starts at 3pm in room 4"),
        ("es", "El partido empieza a las nueve"),
        ("de", "Der Zug fährt um acht Uhr ab"),
        ("ja", "明日の会議は10時からです"),
        ("und", ""),
    ])
    func factualTweetsAreNeutral(language: String, text: String) {
        #expect(analyzer.analyze(text, language: language) == .neutral)
    }

    @Test("emoji carry sentiment, whatever their skin tone")
    func emojiSentiment() {
        #expect(analyzer.analyze("😀😍❤️👍🎉", language: "und").label == .positive)
        #expect(analyzer.analyze("😢😡👎💔", language: "und").label == .negative)
        #expect(analyzer.analyze("👍🏽", language: "und") == analyzer.analyze("👍", language: "und"))
        #expect(analyzer.analyze("Meeting moved to Monday 😡", language: "en").label == .negative)
    }

    @Test("standalone ASCII emoticons carry sentiment")
    func emoticons() {
        #expect(analyzer.analyze("see you tomorrow :)", language: "en").label == .positive)
        #expect(analyzer.analyze("missed the bus :(", language: "en").label == .negative)
    }

    @Test("strong evidence on both sides is mixed")
    func mixedSentiment() {
        let sentiment = analyzer.analyze("I love the camera but I hate the battery", language: "en")
        #expect(sentiment.label == .mixed)
        #expect(abs(sentiment.score) < SentimentAnalyzer.positiveThreshold)
    }

    @Test("an intensifier strengthens the next word")
    func intensifierStrengthens() {
        let plain = analyzer.analyze("good", language: "en").score
        let intensified = analyzer.analyze("very good", language: "en").score
        #expect(intensified > plain)
        #expect(analyzer.analyze("bardzo dobre", language: "pl").score > analyzer.analyze("dobre", language: "pl").score)
    }

    @Test("more evidence moves the score further from zero, and it stays within -1...1")
    func scoreGrowsWithEvidenceWithinBounds() {
        let one = analyzer.analyze("great", language: "en").score
        let three = analyzer.analyze("great amazing wonderful", language: "en").score
        #expect(one == 0.5)
        #expect(three > one)
        let flood = analyzer.analyze(String(repeating: "love ", count: 500) + String(repeating: "😍", count: 500), language: "en")
        #expect(flood.score <= 1 && flood.score > 0.99)
        let hate = analyzer.analyze(String(repeating: "awful ", count: 500), language: "en")
        #expect(hate.score >= -1 && hate.score < -0.99)
    }

    @Test("inflected forms match through stems")
    func stemsMatchInflection() {
        #expect(analyzer.analyze("Świetnie się bawiliśmy", language: "pl").label == .positive)
        #expect(analyzer.analyze("Das Essen war schrecklich", language: "de").label == .negative)
        #expect(analyzer.analyze("Fue una experiencia maravillosa", language: "es").label == .positive)
    }

    @Test("English sentiment words count in tweets of other languages")
    func englishWordsCountEverywhere() {
        #expect(analyzer.analyze("Das neue Album ist einfach awesome", language: "de").label == .positive)
    }

    @Test("sentiment is deterministic")
    func deterministic() {
        for sample in Self.positive + Self.negative + Self.negated {
            #expect(analyzer.analyze(sample.text, language: sample.language) == analyzer.analyze(sample.text, language: sample.language))
        }
    }
}
