import Engine
import Testing

@Suite("Content statistics")
struct ContentStatisticsTests {
    let counter = ContentStatisticsCounter()

    @Test("an emoji is one grapheme cluster, however many scalars it joins", arguments: [
        ("👍", 1), ("👍🏽", 1), ("👨‍👩‍👧", 1), ("👩🏾‍💻", 1), ("🇵🇱", 1), ("🇵🇱🇺🇦", 2), ("🏴󠁧󠁢󠁳󠁣󠁴󠁿", 1),
        ("1️⃣", 1), ("#️⃣", 1), ("*️⃣", 1), ("❤️", 1), ("❤", 1), ("❤️‍🔥", 1), ("☺", 1), ("©️", 1),
        ("😀😃😄", 3), ("ok 👍 ok 👍🏿", 2),
    ])
    func countsEmojiGraphemes(text: String, expected: Int) {
        #expect(counter.statistics(of: text).emojis == expected, "\(text)")
    }

    @Test("digits, #, *, and text symbols alone are not emoji", arguments: ["1", "#", "*", "123", "©", "®", "™", "→", "↔", "a", "é", "東"])
    func textIsNotEmoji(text: String) {
        #expect(counter.statistics(of: text).emojis == 0)
    }

    @Test("a text presentation selector makes a symbol text")
    func textPresentationSelector() {
        #expect(counter.statistics(of: "❤\u{FE0E}").emojis == 0)
    }

    @Test("characters are grapheme clusters")
    func charactersAreGraphemes() {
        #expect(counter.statistics(of: "e\u{301}").characters == 1)
        #expect(counter.statistics(of: "👨‍👩‍👧 ok").characters == 4)
        #expect(counter.statistics(of: "\r\n").characters == 1)
        #expect(counter.statistics(of: "").characters == 0)
    }

    @Test("words are whitespace-separated tokens with a letter or digit")
    func countsWords() {
        #expect(counter.statistics(of: "Hello, world! -- 42 :) 👍").words == 3)
        #expect(counter.statistics(of: "  spaced   out\tand\nnewlines ").words == 4)
        #expect(counter.statistics(of: "don't stop-believing").words == 2)
        #expect(counter.statistics(of: "#tag @user https://x.com").words == 3)
    }

    @Test("each Han or kana character counts as a word; Hangul words are spaced")
    func countsCJKWords() {
        #expect(counter.statistics(of: "東京2020オリンピック").words == 9)
        #expect(counter.statistics(of: "今日は晴れ").words == 5)
        #expect(counter.statistics(of: "오늘 날씨가 좋아요").words == 3)
    }

    @Test("hashtags are # followed by letters, digits or underscores, not digits only")
    func extractsHashtags() {
        let stats = counter.statistics(of: "#東京 #café #Ünïcödé #2024 #1st C# a#b &#39; #_under #mañana! #")
        #expect(stats.hashtags == ["東京", "café", "Ünïcödé", "1st", "_under", "mañana"])
    }

    @Test("hashtags keep every occurrence as written")
    func hashtagsKeepOccurrences() {
        #expect(counter.statistics(of: "#Swift and #swift and #Swift").hashtags == ["Swift", "swift", "Swift"])
    }

    @Test("mentions are @ and 1 to 15 ASCII letters, digits or underscores")
    func extractsMentions() {
        let stats = counter.statistics(of: "@jack, @a_b_1! @abcdefghijklmnopqrstuvwxyz mail@example.com @josé @ (@inner) @Fifteen_chars15")
        #expect(stats.mentions == ["jack", "a_b_1", "inner", "Fifteen_chars15"])
    }

    @Test("URLs run to whitespace and lose trailing punctuation")
    func extractsURLs() {
        let stats = counter.statistics(of: """
            See https://example.com/a. Also (https://example.com/b), \
            https://en.wikipedia.org/wiki/Swift_(programming_language)! \
            http://x.org/?q=1&r=2?! "https://quoted.example/x" HTTPS://UPPER.EXAMPLE/Path… https:// nope
            """)
        #expect(stats.urls == [
            "https://example.com/a",
            "https://example.com/b",
            "https://en.wikipedia.org/wiki/Swift_(programming_language)",
            "http://x.org/?q=1&r=2",
            "https://quoted.example/x",
            "HTTPS://UPPER.EXAMPLE/Path",
        ])
    }

    @Test("hashtags and mentions inside URLs are not counted")
    func urlsHideTheirContents() {
        let stats = counter.statistics(of: "https://example.com/#anchor?user=@bob")
        #expect(stats.hashtags.isEmpty)
        #expect(stats.mentions.isEmpty)
        #expect(stats.urls == ["https://example.com/#anchor?user=@bob"])
    }

    @Test("media are counted by type")
    func countsMedia() {
        let tweet = Tweet(
            id: "1", text: "pics",
            media: [.init(type: "photo"), .init(type: "photo", url: "https://x/y.jpg"), .init(type: "video")]
        )
        #expect(counter.statistics(for: tweet).media == ["photo": 2, "video": 1])
        #expect(counter.statistics(of: "no media").media == [:])
    }
}
