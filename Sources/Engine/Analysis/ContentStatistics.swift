/// Countable facts about a tweet's content, independent of its language.
public struct ContentStatistics: Sendable, Equatable {
    /// Grapheme clusters: what a reader counts as characters (Swift `Character`s).
    public var characters: Int
    /// Whitespace-separated tokens with at least one letter or digit; in
    /// Chinese and Japanese each Han or kana character counts as one word.
    public var words: Int
    /// Hashtags as written, without `#`, one entry per occurrence in order.
    public var hashtags: [String]
    /// Mentioned usernames without `@`, one entry per occurrence in order.
    public var mentions: [String]
    /// URLs (`http://` or `https://`) without trailing punctuation, in order.
    public var urls: [String]
    /// Emoji as seen on screen: 👍🏽, 👨‍👩‍👧, 🇵🇱 and 1️⃣ each count once; bare digits, `#` and `*` never.
    public var emojis: Int
    /// Attached media per type as the producer sent it (`photo`, `video`, …).
    public var media: [String: Int]

    /// Creates content statistics.
    public init(
        characters: Int,
        words: Int,
        hashtags: [String],
        mentions: [String],
        urls: [String],
        emojis: Int,
        media: [String: Int]
    ) {
        self.characters = characters
        self.words = words
        self.hashtags = hashtags
        self.mentions = mentions
        self.urls = urls
        self.emojis = emojis
        self.media = media
    }
}
