/// How a provider's limits become tokens when several tweetd instances share
/// one budget through the broker (`providers.<name>.shared`).
///
/// One elected instance (the refiller) publishes request tokens to a queue,
/// one every ``requestInterval``, each living at most ``tokenLifetime`` in
/// the queue (a per-message TTL, so the broker's clock bounds it, not ours);
/// every instance takes one with `basic.get` right before each request. The
/// refiller publishes each token within ``publicationTolerance`` of its slot
/// and never catches up after a pause (``RefillSchedule``).
///
/// Why that keeps the limits, for any number of instances: a request that
/// arrives in a window `[t, t + W]` took its token at most
/// `RateLimit/arrivalMargin` (M) earlier, and that token was published at
/// most ``tokenLifetime`` (τ) before it was taken, and each slot's
/// publication is late by at most ``publicationTolerance`` (J). So every such
/// token's slot lies in a stretch of `W + M + τ + J`, which holds at most
/// `floor(r · (W + M + τ + J)) + 1` slots at r tokens per second. The interval
/// is the smallest that keeps that count within `rpm` for W = 60 s and within
/// `burst` for the burst window (W = 1 s + M / 60, as for one instance: see
/// ``RateLimit/burstWindow``). No instance needs another's clock.
///
/// Tokens per minute work the same way with chunks of ``chunkSize`` tokens,
/// one every ``chunkInterval``; an instance may hold chunks for at most
/// ``chunkHold`` while it gathers enough for one request, which the window
/// allows for too.
public struct SharedBudgetPlan: Sendable, Equatable {
    /// The time between two request tokens.
    public var requestInterval: Duration
    /// How long a token may wait in the bucket queue before the broker drops it.
    public var tokenLifetime: Duration
    /// How late the refiller may publish a token for its slot; a later one is skipped.
    public var publicationTolerance: Duration
    /// Tokens (of the provider's `tpm`) one chunk stands for, or nil without a token limit.
    public var chunkSize: Int?
    /// The time between two chunks, when there is a token limit.
    public var chunkInterval: Duration?
    /// The longest an instance holds chunks before it uses or drops them.
    public var chunkHold: Duration
    /// The limits the refiller checks its own tokens against, whatever its
    /// interval: at most `count` published in any stretch of `length`. They
    /// never bind while the interval stays (the grid keeps within them); they
    /// make a lower limit from a reload take effect at once, counting the
    /// tokens already published at the old rate.
    public var requestWindows: [RefillWindow]
    /// The same for chunks.
    public var chunkWindows: [RefillWindow]

    /// The default token lifetime: long enough for a taker polling every few
    /// milliseconds, short enough that it costs little of the burst window.
    public static let defaultTokenLifetime: Duration = .milliseconds(60)
    /// The default publication tolerance.
    public static let defaultPublicationTolerance: Duration = .milliseconds(10)
    /// The default chunk hold.
    public static let defaultChunkHold: Duration = .seconds(5)
    /// Chunks per minute a token limit is cut into (at most): small enough
    /// for a few `basic.get` a second, fine enough that rounding a request up
    /// to whole chunks wastes little.
    public static let chunksPerMinute = 1200

    /// Derives the plan from `limit` (its rpm, burst, tpm and arrival margin).
    public init(
        limit: RateLimit,
        tokenLifetime: Duration = Self.defaultTokenLifetime,
        publicationTolerance: Duration = Self.defaultPublicationTolerance,
        chunkHold: Duration = Self.defaultChunkHold
    ) {
        let limit = limit.normalized
        self.tokenLifetime = tokenLifetime
        self.publicationTolerance = publicationTolerance
        self.chunkHold = chunkHold
        let slack = limit.arrivalMargin + tokenLifetime + publicationTolerance
        // A hair more than the exact quotient: the slot count must stay strictly below the limit + 1.
        let hair = Duration.microseconds(1)
        let minuteInterval = (.seconds(60) + slack) / limit.requestsPerMinute + hair
        let burstInterval = (limit.burstWindow + tokenLifetime + publicationTolerance) / limit.burst + hair
        self.requestInterval = max(minuteInterval, burstInterval)
        // Publications lie within the tolerance after their slots, so the stretches without it hold as many.
        self.requestWindows = [
            .init(count: limit.requestsPerMinute, length: .seconds(60) + limit.arrivalMargin + tokenLifetime),
            .init(count: limit.burst, length: limit.burstWindow + tokenLifetime),
        ]
        if let tpm = limit.tokensPerMinute {
            let size = max(1, (tpm + Self.chunksPerMinute - 1) / Self.chunksPerMinute)
            let chunks = max(1, tpm / size)
            self.chunkSize = size
            self.chunkInterval = (.seconds(60) + slack + chunkHold) / chunks + hair
            self.chunkWindows = [.init(count: chunks, length: .seconds(60) + limit.arrivalMargin + tokenLifetime + chunkHold)]
        } else {
            self.chunkSize = nil
            self.chunkInterval = nil
            self.chunkWindows = []
        }
    }

    /// The requests per minute this plan sustains when every token is used.
    public var sustainedRequestsPerMinute: Double {
        60 / requestInterval.seconds
    }

    /// Chunks a request estimated at `tokens` needs: its estimate rounded up
    /// to whole chunks, but never more than one of `gatherers` instances
    /// gathering at once can collect within ``chunkHold`` (three quarters of
    /// its share of a hold's chunks). Without that cap, instances that each
    /// need many chunks would split the chunks between them and none would
    /// ever hold enough before its first ones expire; the price is that a
    /// request estimated above that share reserves only the share. Zero
    /// without a token limit.
    public func chunks(forEstimate tokens: Int, gatherers: Int = 1) -> Int {
        guard let chunkSize, let chunkInterval else { return 0 }
        let wanted = (max(tokens, 0) + chunkSize - 1) / chunkSize
        let perHold = chunkHold / chunkInterval
        let share = max(1, Int(perHold * 3 / 4 / Double(max(gatherers, 1))))
        return min(wanted, share)
    }

    /// The default `burst` of a shared provider: `ceil(rpm / 60 × 1.08)`.
    ///
    /// A single instance's default, `ceil(rpm / 60)`, would make the burst
    /// window the binding limit of a shared budget and cap it near 92 % of
    /// `rpm`: a token's lifetime and publication tolerance (70 ms) count
    /// against the 1-second window. 8 % more burst keeps `rpm` the limit that
    /// binds.
    public static func defaultBurst(rpm: Int) -> Int {
        max(1, Int((Double(max(rpm, 1)) * 1.08 / 60).rounded(.up)))
    }
}
