import Foundation

/// A validated tweet, as decoded from an input message body.
///
/// Every field here has already been checked against the wire contract:
/// `id` is non-empty and at most 64 characters, `text` is within
/// `processing.max_text_chars`, counts are non-negative.
public struct Tweet: Sendable, Equatable {
    /// The tweet's identifier (an integer id on the wire becomes its decimal string).
    public var id: String
    /// The tweet's text.
    public var text: String
    /// Who wrote it, when the producer said so.
    public var author: Author?
    /// When it was posted (RFC 3339 on the wire).
    public var createdAt: Date?
    /// The language the producer claims (a BCP 47 tag such as `en`), if any.
    public var lang: String?
    /// Engagement counts, when known.
    public var metrics: EngagementMetrics?
    /// Attached media.
    public var media: [Media]
    /// The id of the tweet this one answers, if any.
    public var inReplyTo: String?

    /// Creates a tweet; only `id` and `text` are required.
    public init(
        id: String,
        text: String,
        author: Author? = nil,
        createdAt: Date? = nil,
        lang: String? = nil,
        metrics: EngagementMetrics? = nil,
        media: [Media] = [],
        inReplyTo: String? = nil
    ) {
        self.id = id
        self.text = text
        self.author = author
        self.createdAt = createdAt
        self.lang = lang
        self.metrics = metrics
        self.media = media
        self.inReplyTo = inReplyTo
    }

    /// The author of a tweet.
    public struct Author: Sendable, Equatable {
        /// The author's account id.
        public var id: String?
        /// The author's handle, without the `@`.
        public var username: String?
        /// How many accounts follow the author.
        public var followers: Int64?
        /// Whether the account is verified.
        public var verified: Bool?

        /// Creates an author; every field is optional.
        public init(id: String? = nil, username: String? = nil, followers: Int64? = nil, verified: Bool? = nil) {
            self.id = id
            self.username = username
            self.followers = followers
            self.verified = verified
        }
    }

    /// Engagement counts of a tweet; each is a non-negative integer when present.
    public struct EngagementMetrics: Sendable, Equatable {
        /// Likes.
        public var likes: Int64
        /// Retweets (reposts).
        public var retweets: Int64
        /// Replies.
        public var replies: Int64
        /// Quote tweets.
        public var quotes: Int64

        /// Creates engagement counts; missing counts are zero.
        public init(likes: Int64 = 0, retweets: Int64 = 0, replies: Int64 = 0, quotes: Int64 = 0) {
            self.likes = likes
            self.retweets = retweets
            self.replies = replies
            self.quotes = quotes
        }

        /// Likes, retweets, replies and quotes added up, saturating instead of overflowing.
        public var total: Int64 {
            [likes, retweets, replies, quotes].reduce(0) { sum, count in
                let (added, overflow) = sum.addingReportingOverflow(count)
                return overflow ? Int64.max : added
            }
        }
    }

    /// One attached media item.
    public struct Media: Sendable, Equatable {
        /// The media type as sent, for example `photo`, `video` or `animated_gif`.
        public var type: String
        /// Where the media lives, when given.
        public var url: String?

        /// Creates a media item.
        public init(type: String, url: String? = nil) {
            self.type = type
            self.url = url
        }
    }
}
