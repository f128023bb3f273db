/// Counts characters, words, hashtags, mentions, URLs, emoji and media of a tweet.
///
/// The counting rules are those of ``TweetTokenizer``; in short: characters
/// are grapheme clusters, a word is a whitespace-separated token with a
/// letter or digit (each Han or kana character is a word), hashtags and
/// mentions follow X's rules, URLs lose trailing punctuation, and an emoji
/// is one grapheme cluster however many scalars it joins.
public struct ContentStatisticsCounter: Sendable {
    /// Creates a counter.
    public init() {}

    /// The statistics of a tweet's text and attached media.
    public func statistics(for tweet: Tweet) -> ContentStatistics {
        statistics(from: TweetTokenizer.tokenize(tweet.text), media: tweet.media)
    }

    /// The statistics of a text without media.
    public func statistics(of text: String) -> ContentStatistics {
        statistics(from: TweetTokenizer.tokenize(text), media: [])
    }

    /// The statistics of already tokenized text.
    func statistics(from tokens: TextTokens, media: [Tweet.Media]) -> ContentStatistics {
        var mediaCounts: [String: Int] = [:]
        for item in media {
            mediaCounts[item.type, default: 0] += 1
        }
        return ContentStatistics(
            characters: tokens.characterCount,
            words: tokens.wordCount,
            hashtags: tokens.hashtags,
            mentions: tokens.mentions,
            urls: tokens.urls,
            emojis: tokens.emojiCount,
            media: mediaCounts
        )
    }
}
