import Engine
import Testing

@Suite("Topics")
struct TopicExtractorTests {
    let extractor = TopicExtractor()

    @Test("hashtags come first, lowercased and without duplicates")
    func hashtagsFirstLowercasedDeduplicated() {
        let topics = extractor.topics(in: "Loving #SwiftLang and #swiftlang, also #Vapor servers servers", language: "en")
        #expect(topics == ["swiftlang", "vapor", "servers", "loving"])
    }

    @Test("keywords are ranked by frequency, ties by first occurrence")
    func keywordsByFrequencyThenFirstOccurrence() {
        let text = "python rust python kotlin rust python swift haskell"
        #expect(extractor.topics(in: text, language: "en") == ["python", "rust", "kotlin", "swift", "haskell"])
    }

    @Test("at most five topics are returned")
    func atMostFive() {
        let text = "#one #two #three #four #five #six alpha beta gamma"
        #expect(extractor.topics(in: text, language: "en") == ["one", "two", "three", "four", "five"])
        #expect(TopicExtractor.maximumTopics == 5)
    }

    @Test("stop words, short words, numbers, URLs and mentions are not keywords")
    func ignoresNoise() {
        let text = "@nasa It is 2024 and we go to the moon at https://nasa.gov/artemis ok"
        #expect(extractor.topics(in: text, language: "en") == ["moon"])
    }

    @Test("stop words of the detected language and of English are both ignored")
    func ignoresStopWordsOfBothLanguages() {
        let text = "El partido de fútbol es the best partido del año"
        #expect(extractor.topics(in: text, language: "es") == ["partido", "fútbol", "año", "best"])
    }

    @Test("subject words come before equally frequent sentiment words")
    func subjectsBeforeSentimentWords() {
        #expect(extractor.topics(in: "Great game tonight, love it", language: "en") == ["game", "great", "love"])
    }

    @Test("elisions and possessives are reduced to the word inside")
    func elisionsReduced() {
        #expect(extractor.topics(in: "L'histoire de l'art", language: "fr") == ["histoire", "art"])
        #expect(extractor.topics(in: "Apple's keynote", language: "en") == ["apple", "keynote"])
    }

    @Test("negators and intensifiers are not topics")
    func grammarWordsAreNotTopics() {
        #expect(extractor.topics(in: "Tellement vraiment jamais concert", language: "fr") == ["concert"])
    }

    @Test("Japanese keywords are kanji and katakana runs")
    func japaneseKeywords() {
        let topics = extractor.topics(in: "今日は東京で新しいカフェに行きました", language: "ja")
        #expect(topics == ["東京", "カフェ"])
    }

    @Test("Chinese keywords are bigrams that repeat")
    func chineseKeywords() {
        let topics = extractor.topics(in: "北京的天气很好，北京的天气真的很好", language: "zh")
        #expect(topics == ["北京", "天气"])
        #expect(extractor.topics(in: "今天天气很好", language: "zh") == [])
        #expect(extractor.topics(in: "我买了新的iPhone手机", language: "zh") == ["iphone"])
    }

    @Test("Korean particles are cut off and predicates skipped")
    func koreanKeywords() {
        let topics = extractor.topics(in: "서울에서 친구를 만났어요", language: "ko")
        #expect(topics == ["서울", "친구"])
    }

    @Test("Unicode hashtags keep their letters")
    func unicodeHashtags() {
        #expect(extractor.topics(in: "#東京 #Café #ÜBER", language: "und") == ["東京", "café", "über"])
    }

    @Test("topics are deterministic")
    func deterministic() {
        let text = "alpha beta gamma delta epsilon zeta eta theta"
        let first = extractor.topics(in: text, language: "en")
        for _ in 0..<10 {
            #expect(extractor.topics(in: text, language: "en") == first)
        }
        #expect(first == ["alpha", "beta", "gamma", "delta", "epsilon"])
    }
}
