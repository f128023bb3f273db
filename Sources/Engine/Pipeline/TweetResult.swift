/// The result published for one tweet, in the wire shape subscribers read.
///
/// `{id, provider, model, analysis {language, sentiment {label, score}, topics, summary},
/// content {chars, words, hashtags, mentions, urls, emojis, media}, priority {assigned, score},
/// attempts, timing {queued_ms, processing_ms, provider_ms}, usage {input_tokens, output_tokens},
/// source {message_id, routing_key, redelivered}, pipeline_version}`
public struct TweetResult: Sendable {
    /// The model name the built-in analysis reports.
    public static let builtinModel = "tweetd-builtin-1"
    /// The `pipeline_version` field of every result.
    public static let pipelineVersion = "tweetd/\(TweetdVersion.current)"

    /// Where the input came from, so subscribers can drop duplicates.
    public struct Source: Sendable, Equatable {
        /// The input's AMQP `message_id`, when the producer set one.
        public var messageID: String?
        /// The input's routing key.
        public var routingKey: String
        /// Whether the broker had delivered the input before (a duplicate result is possible).
        public var redelivered: Bool

        /// Creates a source.
        public init(messageID: String?, routingKey: String, redelivered: Bool) {
            self.messageID = messageID
            self.routingKey = routingKey
            self.redelivered = redelivered
        }
    }

    /// The tweet analysed.
    public var tweet: Tweet
    /// The provider whose analysis this is (`builtin` when no LLM was asked).
    public var provider: String
    /// The provider's model.
    public var model: String
    /// The analysis (built-in, enriched by the provider when there was one).
    public var analysis: ContentAnalysis
    /// The AMQP priority the input arrived with.
    public var assignedPriority: Int
    /// The computed priority score, 0…1.
    public var priorityScore: Double
    /// Which attempt produced this result (1 for the first).
    public var attempts: Int
    /// Producer timestamp to now, when the producer set a timestamp.
    public var queuedMilliseconds: Double?
    /// Time spent processing in tweetd.
    public var processingMilliseconds: Double
    /// Time spent waiting for the provider.
    public var providerMilliseconds: Double
    /// Tokens the provider counted, as its answer gave them (the built-in analysis: none).
    public var usage: TokenUsage
    /// Where the input came from.
    public var source: Source

    /// The result as compact JSON.
    public func encoded() -> [UInt8] {
        var json = JSONWriter(capacity: 768 + tweet.text.utf8.count)
        json.beginObject()
        json.field("id", tweet.id)
        json.field("provider", provider)
        json.field("model", model)

        json.key("analysis")
        json.beginObject()
        json.field("language", analysis.language)
        json.key("sentiment")
        json.beginObject()
        json.field("label", analysis.sentiment.label.rawValue)
        json.field("score", Self.rounded(analysis.sentiment.score))
        json.endObject()
        json.key("topics")
        Self.writeStrings(analysis.topics, to: &json)
        json.field("summary", analysis.summary)
        json.endObject()

        let content = analysis.content
        json.key("content")
        json.beginObject()
        json.field("chars", content.characters)
        json.field("words", content.words)
        json.key("hashtags")
        Self.writeStrings(content.hashtags, to: &json)
        json.key("mentions")
        Self.writeStrings(content.mentions, to: &json)
        json.key("urls")
        Self.writeStrings(content.urls, to: &json)
        json.field("emojis", content.emojis)
        json.key("media")
        json.beginObject()
        for (type, count) in content.media.sorted(by: { $0.key < $1.key }) {
            json.field(type, count)
        }
        json.endObject()
        json.endObject()

        json.key("priority")
        json.beginObject()
        json.field("assigned", assignedPriority)
        json.field("score", Self.rounded(priorityScore))
        json.endObject()

        json.field("attempts", attempts)

        json.key("timing")
        json.beginObject()
        json.field("queued_ms", queuedMilliseconds.map(Self.rounded))
        json.field("processing_ms", Self.rounded(processingMilliseconds))
        json.field("provider_ms", Self.rounded(providerMilliseconds))
        json.endObject()

        json.key("usage")
        json.beginObject()
        json.field("input_tokens", usage.inputTokens)
        json.field("output_tokens", usage.outputTokens)
        json.endObject()

        json.key("source")
        json.beginObject()
        json.field("message_id", source.messageID)
        json.field("routing_key", source.routingKey)
        json.field("redelivered", source.redelivered)
        json.endObject()

        json.field("pipeline_version", TweetResult.pipelineVersion)
        json.endObject()
        return json.bytes
    }

    private static func writeStrings(_ strings: [String], to json: inout JSONWriter) {
        json.beginArray()
        for string in strings {
            json.string(string)
        }
        json.endArray()
    }

    /// Three decimals are plenty for scores and milliseconds, and keep results short.
    private static func rounded(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }
}
