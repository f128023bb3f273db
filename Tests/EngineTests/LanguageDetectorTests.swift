import Engine
import Testing

@Suite("Language detection")
struct LanguageDetectorTests {
    let detector = LanguageDetector()

    /// Real-world style tweets, at least two per language.
    static let samples: [(expected: String, text: String)] = [
        ("en", "Just landed in Tokyo! Can't wait to explore the city with my friends"),
        ("en", "The new update is really slow and the app keeps crashing"),
        ("en", "Who else is watching the game tonight?"),
        ("pl", "Dzisiaj jest piękny dzień, idziemy na spacer z psem"),
        ("pl", "Nie mogę uwierzyć, że to już koniec sezonu. Dziękuję wszystkim za wsparcie!"),
        ("pl", "Jutro wybory, idźcie głosować!"),
        ("de", "Das Wetter ist heute wirklich schön, wir gehen in den Park"),
        ("de", "Der Zug hat schon wieder Verspätung. Danke, Deutsche Bahn!"),
        ("es", "Hoy es un día increíble, ¡gracias a todos por venir a la fiesta!"),
        ("es", "¿Alguien sabe a qué hora empieza el partido del Real Madrid?"),
        ("fr", "Je suis tellement heureux de vous retrouver ce soir à Paris"),
        ("fr", "Quelqu'un sait pourquoi le métro est encore en panne ce matin ?"),
        ("pt", "O jogo de hoje foi incrível, parabéns ao time!"),
        ("pt", "Não acredito que a reunião foi adiada de novo, que situação"),
        ("it", "Oggi è una giornata bellissima, andiamo al mare con gli amici"),
        ("it", "Qualcuno sa se domani ci sarà lo sciopero dei treni?"),
        ("it", "Il nuovo smartphone ha una batteria fantastica, dura due giorni. 😍"),
        ("nl", "Vandaag is het echt mooi weer, we gaan naar het strand"),
        ("nl", "Weet iemand of de trein naar Utrecht vandaag weer rijdt?"),
        ("sv", "Idag är det fint väder och vi ska åka till stranden"),
        ("sv", "Någon som vet när tåget till Göteborg går?"),
        ("ja", "今日は東京で新しいカフェに行きました。とても美味しかった！"),
        ("ja", "明日の会議は10時からです。よろしくお願いします"),
        ("ja", "iPhone 15 Proを買った！最高"),
        ("zh", "今天天气很好，我们去公园散步吧"),
        ("zh", "这家餐厅的服务太差了，再也不来了"),
        ("ko", "오늘 날씨가 정말 좋아요! 친구들이랑 한강에 갔어요"),
        ("ko", "내일 회의는 몇 시에 시작하나요?"),
        ("ar", "اليوم جميل جدا والحمدلله على كل شيء"),
        ("ar", "هل يعرف أحد متى تبدأ المباراة؟"),
        ("ru", "Сегодня отличная погода, идём гулять в парк"),
        ("ru", "Кто-нибудь знает, когда начнётся матч?"),
        ("uk", "Сьогодні чудова погода, ми йдемо гуляти в парк"),
        ("uk", "Хтось знає, коли починається матч? Дякую!"),
        ("el", "Σήμερα είναι μια υπέροχη μέρα για βόλτα"),
        ("el", "Ξέρει κανείς τι ώρα ξεκινάει ο αγώνας;"),
        ("he", "היום יום יפה מאוד בתל אביב"),
        ("he", "מישהו יודע מתי מתחיל המשחק?"),
        ("th", "วันนี้อากาศดีมาก ไปเที่ยวทะเลกัน"),
        ("th", "มีใครรู้ไหมว่าการแข่งขันเริ่มกี่โมง"),
        ("hi", "आज का मौसम बहुत अच्छा है और हम पार्क जा रहे हैं"),
        ("hi", "क्या किसी को पता है कि मैच कब शुरू होगा?"),
    ]

    @Test("detects the language of real tweets", arguments: samples)
    func detectsLanguageOfRealTweets(sample: (expected: String, text: String)) {
        #expect(detector.detect(sample.text) == sample.expected, "\(sample.text)")
    }

    @Test("short single words with a clear owner are detected")
    func detectsShortClearWords() {
        #expect(detector.detect("Gracias!") == "es")
        #expect(detector.detect("Danke schön") == "de")
        #expect(detector.detect("lol") == "en")
    }

    @Test("text without enough letters is undetermined", arguments: ["", "ok", "👍🎉", "12345 678", "?!", "a"])
    func tooLittleTextIsUndetermined(text: String) {
        #expect(detector.detect(text) == "und")
    }

    @Test("Latin text in a language that is not modelled is undetermined rather than guessed")
    func unmodelledLatinLanguagesAreUndetermined() {
        #expect(detector.detect("Bugün hava çok güzel, İstanbul'da yürüyüş yaptık") == "und")
        #expect(detector.detect("Hôm nay trời đẹp quá, chúng tôi đi dạo công viên") == "und")
    }

    @Test("hashtags, mentions and URLs do not count as evidence")
    func ignoresHashtagsMentionsAndURLs() {
        #expect(detector.detect("@maria_lopez #fiesta #españa https://t.co/abc Great to see you all here") == "en")
        #expect(detector.detect("#HappyBirthday #love @john https://example.com/english-words") == "und")
        #expect(detector.detect("Qué alegría verte otra vez #ThankYou #BestDayEver @the_best_friend") == "es")
    }

    @Test("the producer's lang breaks a tie but never overrides clear evidence")
    func hintIsOnlyATieBreaker() {
        // Han-only text is Chinese or Japanese: the hint decides.
        #expect(detector.detect("東京大学合格", hint: "ja") == "ja")
        #expect(detector.detect("東京大学合格") == "zh")
        // Clear evidence wins over a wrong hint.
        #expect(detector.detect("The weather is really nice today", hint: "es") == "en")
        #expect(detector.detect("Hoje o dia está muito bom", hint: "es") == "pt")
        #expect(detector.detect("今日は本当にいい天気ですね", hint: "zh") == "ja")
        // Thin evidence for the text's length is undetermined alone, settled by a hint it supports.
        let thin = "Batteria fantastica, schermo luminoso, fotocamera eccellente, prezzo onesto, consegna rapida con corriere"
        #expect(detector.detect(thin) == "und")
        #expect(detector.detect(thin, hint: "it") == "it")
        #expect(detector.detect(thin, hint: "de") == "und")
        // Words Italian shares with English or Swedish do not make a short tweet Italian.
        #expect(detector.detect("Rent due Friday") != "it")
        #expect(detector.detect("Rent due Friday", hint: "en") != "it")
        #expect(detector.detect("Tre dagar kvar") != "it")
        // No evidence stays undetermined whatever the hint says.
        #expect(detector.detect("👍👍", hint: "fr") == "und")
    }

    @Test("the hint accepts BCP 47 tags and ignores X's pseudo-languages")
    func hintIsNormalised() {
        #expect(detector.detect("東京大学合格", hint: "ja-JP") == "ja")
        #expect(detector.detect("東京大学合格", hint: "und") == "zh")
        #expect(detector.detect("Сегодня хорошая погода", hint: "qme") == "ru")
    }

    @Test("Cyrillic is told apart as Russian or Ukrainian by distinctive letters")
    func cyrillicDistinctiveLetters() {
        #expect(detector.detect("Я люблю читать книги вечером") == "ru")
        #expect(detector.detect("Я люблю читати книжки ввечері, це моє хобі") == "uk")
    }

    @Test("detection is deterministic")
    func deterministic() {
        for sample in Self.samples {
            #expect(detector.detect(sample.text) == detector.detect(sample.text))
        }
    }
}
