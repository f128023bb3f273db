import Foundation

/// Scores how urgently a tweet deserves analysis, for the AMQP priority that
/// `tweetd publish --priority auto` assigns.
///
/// The score is a weighted sum of four parts, each in 0…1:
///
/// | part       | weight | value |
/// |------------|--------|-------|
/// | engagement | 0.40   | log10(1 + likes + 2·retweets + 2·quotes + 1.5·replies) / 5, capped at 1 (100k weighted interactions saturate) |
/// | reach      | 0.25   | 0.8 · log10(1 + followers) / 7, capped (10M followers saturate), + 0.2 when verified |
/// | media      | 0.10   | 1 with any attached media, else 0 |
/// | recency    | 0.25   | 0.5^(age / 6 h); unknown `created_at` is a neutral 0.5 |
///
/// Engagement weighs most because it is the strongest sign that people
/// care; logarithms keep a viral tweet from drowning every other signal.
/// Shares and quotes count double (they spread the tweet), replies 1.5.
/// Verification adds a fixed 0.2 of reach so it raises the score even at
/// the follower cap. A `created_at` up to five minutes ahead of `now` counts
/// as brand new (clock skew); further ahead it is not trusted and counts as
/// unknown, so a producer cannot buy priority with a future date.
public struct PriorityScorer: Sendable {
    static let engagementWeight = 0.40
    static let reachWeight = 0.25
    static let mediaWeight = 0.10
    static let recencyWeight = 0.25

    /// Weighted interactions whose log10 saturates engagement (10^5).
    static let engagementSaturationExponent = 5.0
    /// Followers whose log10 saturates reach (10^7).
    static let reachSaturationExponent = 7.0
    /// Reach added by a verified account.
    static let verifiedBonus = 0.2
    /// Age at which recency has halved.
    static let recencyHalfLife: TimeInterval = 6 * 3600
    /// How far in the future `created_at` may be and still count as new.
    static let allowedClockSkew: TimeInterval = 300
    /// Recency of a tweet of unknown (or untrusted) age.
    static let unknownRecency = 0.5

    /// Creates a scorer.
    public init() {}

    /// The tweet's priority score in 0…1: engagement (log-scaled likes,
    /// retweets, replies, quotes), author reach (log followers, verified
    /// bonus), media presence and recency of `created_at` relative to `now`
    /// (unknown → neutral); see the type's documentation for the weights.
    public func score(_ tweet: Tweet, now: Date) -> Double {
        let total = Self.engagementWeight * engagement(tweet.metrics)
            + Self.reachWeight * reach(tweet.author)
            + Self.mediaWeight * (tweet.media.isEmpty ? 0 : 1)
            + Self.recencyWeight * recency(tweet.createdAt, now: now)
        return min(1, max(0, total))
    }

    /// Maps a score to an AMQP priority in `0...maxPriority`.
    ///
    /// The score range is split into `maxPriority + 1` equal buckets:
    /// priority = min(maxPriority, ⌊score × (maxPriority + 1)⌋). Unlike
    /// rounding to the nearest level, every level then covers the same share
    /// of scores, the ends included. Scores outside 0…1 are clamped first (NaN
    /// counts as 0), and `maxPriority` is clamped to 0…255, the range of the
    /// AMQP priority octet (RabbitMQ itself allows up to 255).
    public func priority(forScore score: Double, maxPriority: Int) -> Int {
        let levels = min(max(maxPriority, 0), 255)
        guard levels > 0, !score.isNaN else { return 0 }
        let clamped = min(1, max(0, score))
        return min(levels, Int(clamped * Double(levels + 1)))
    }

    private func engagement(_ metrics: Tweet.EngagementMetrics?) -> Double {
        guard let metrics else { return 0 }
        let weighted = Double(metrics.likes) + 2 * Double(metrics.retweets) + 2 * Double(metrics.quotes)
            + 1.5 * Double(metrics.replies)
        return min(1, log10(1 + weighted) / Self.engagementSaturationExponent)
    }

    private func reach(_ author: Tweet.Author?) -> Double {
        guard let author else { return 0 }
        let followers = Double(max(0, author.followers ?? 0))
        let audience = min(1, log10(1 + followers) / Self.reachSaturationExponent)
        return (1 - Self.verifiedBonus) * audience + (author.verified == true ? Self.verifiedBonus : 0)
    }

    private func recency(_ createdAt: Date?, now: Date) -> Double {
        guard let createdAt else { return Self.unknownRecency }
        let age = now.timeIntervalSince(createdAt)
        if age < -Self.allowedClockSkew { return Self.unknownRecency }
        if age <= 0 { return 1 }
        return pow(0.5, age / Self.recencyHalfLife)
    }
}
