import Engine
import Foundation
import Testing

@Suite("Priority score")
struct PriorityScorerTests {
    let scorer = PriorityScorer()
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func tweet(
        likes: Int64 = 10,
        retweets: Int64 = 2,
        followers: Int64? = 1_000,
        verified: Bool = false,
        media: [Tweet.Media] = [],
        age: TimeInterval? = 3600
    ) -> Tweet {
        Tweet(
            id: "1",
            text: "hello",
            author: .init(id: "9", username: "someone", followers: followers, verified: verified),
            createdAt: age.map { now.addingTimeInterval(-$0) },
            metrics: .init(likes: likes, retweets: retweets, replies: 1, quotes: 0),
            media: media
        )
    }

    @Test("more likes give a higher score")
    func moreLikesScoreHigher() {
        let counts: [Int64] = [0, 1, 10, 100, 1_000, 10_000]
        let scores = counts.map { scorer.score(tweet(likes: $0), now: now) }
        #expect(zip(scores, scores.dropFirst()).allSatisfy { $0 < $1 }, "\(scores)")
    }

    @Test("more followers give a higher score")
    func moreFollowersScoreHigher() {
        let scores = [0, 100, 100_000, 5_000_000].map { scorer.score(tweet(followers: Int64($0)), now: now) }
        #expect(zip(scores, scores.dropFirst()).allSatisfy { $0 < $1 }, "\(scores)")
    }

    @Test("a verified author scores higher, even at the follower cap")
    func verifiedScoresHigher() {
        #expect(scorer.score(tweet(verified: true), now: now) > scorer.score(tweet(verified: false), now: now))
        #expect(scorer.score(tweet(followers: 900_000_000, verified: true), now: now)
            > scorer.score(tweet(followers: 900_000_000, verified: false), now: now))
    }

    @Test("attached media score higher than none")
    func mediaScoresHigher() {
        #expect(scorer.score(tweet(media: [.init(type: "photo")]), now: now) > scorer.score(tweet(media: []), now: now))
    }

    @Test("recent tweets score higher than old ones; unknown age sits in between")
    func recencyOrdersTweets() {
        let fresh = scorer.score(tweet(age: 60), now: now)
        let day = scorer.score(tweet(age: 86_400), now: now)
        let week = scorer.score(tweet(age: 7 * 86_400), now: now)
        let unknown = scorer.score(tweet(age: nil), now: now)
        #expect(fresh > day && day > week)
        #expect(fresh > unknown && unknown > day)
    }

    @Test("a date slightly ahead counts as new; far in the future counts as unknown")
    func futureDates() {
        let skewed = scorer.score(tweet(age: -120), now: now)
        let brandNew = scorer.score(tweet(age: 0), now: now)
        let farFuture = scorer.score(tweet(age: -86_400), now: now)
        let unknown = scorer.score(tweet(age: nil), now: now)
        #expect(skewed == brandNew)
        #expect(farFuture == unknown)
    }

    @Test("the score stays within 0...1 at the extremes")
    func scoreWithinBounds() {
        let empty = Tweet(id: "1", text: "")
        let huge = Tweet(
            id: "2", text: "",
            author: .init(followers: .max, verified: true),
            createdAt: now,
            metrics: .init(likes: .max, retweets: .max, replies: .max, quotes: .max),
            media: [.init(type: "video")]
        )
        let ancient = tweet(likes: 0, retweets: 0, followers: 0, age: 100 * 365 * 86_400)
        for candidate in [empty, huge, ancient] {
            let score = scorer.score(candidate, now: now)
            #expect((0...1).contains(score))
        }
        #expect(scorer.score(huge, now: now) == 1)
    }

    @Test("priority maps 0 to 0 and 1 to the maximum")
    func priorityBounds() {
        for maxPriority in [1, 5, 10, 255] {
            #expect(scorer.priority(forScore: 0, maxPriority: maxPriority) == 0)
            #expect(scorer.priority(forScore: 1, maxPriority: maxPriority) == maxPriority)
        }
    }

    @Test("priority splits the score range into equal buckets")
    func priorityBuckets() {
        // max 4: five buckets of 0.2 each.
        #expect(scorer.priority(forScore: 0.19, maxPriority: 4) == 0)
        #expect(scorer.priority(forScore: 0.2, maxPriority: 4) == 1)
        #expect(scorer.priority(forScore: 0.5, maxPriority: 4) == 2)
        #expect(scorer.priority(forScore: 0.79, maxPriority: 4) == 3)
        #expect(scorer.priority(forScore: 0.8, maxPriority: 4) == 4)
    }

    @Test("priority never decreases as the score grows")
    func priorityMonotonic() {
        var previous = 0
        for step in 0...1_000 {
            let priority = scorer.priority(forScore: Double(step) / 1_000, maxPriority: 10)
            #expect(priority >= previous)
            previous = priority
        }
        #expect(previous == 10)
    }

    @Test("out-of-range inputs are clamped")
    func priorityClamps() {
        #expect(scorer.priority(forScore: -3, maxPriority: 10) == 0)
        #expect(scorer.priority(forScore: 7, maxPriority: 10) == 10)
        #expect(scorer.priority(forScore: .nan, maxPriority: 10) == 0)
        #expect(scorer.priority(forScore: .infinity, maxPriority: 10) == 10)
        #expect(scorer.priority(forScore: 0.9, maxPriority: 0) == 0)
        #expect(scorer.priority(forScore: 0.9, maxPriority: -5) == 0)
        #expect(scorer.priority(forScore: 1, maxPriority: 1_000) == 255)
    }

    @Test("scoring is deterministic for a given now")
    func deterministic() {
        let sample = tweet(likes: 1_234, verified: true, media: [.init(type: "photo")])
        #expect(scorer.score(sample, now: now) == scorer.score(sample, now: now))
    }
}
