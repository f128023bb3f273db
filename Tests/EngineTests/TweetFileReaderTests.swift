import Engine
import Testing

@Suite("Reading files to publish")
struct TweetFileReaderTests {
    @Test("JSON lines pass through byte for byte, blank lines and CRLF are handled")
    func jsonLinesPassThrough() throws {
        let file = Array("{\"id\":\"1\",\"text\":\"a\"}\r\n\n  \nnot json at all\n{\"id\":2,\"text\":\"b\"}".utf8)
        let bodies = try TweetFileReader.bodies(from: file, format: .jsonLines)
        #expect(bodies.map { String(decoding: $0, as: UTF8.self) } == [
            "{\"id\":\"1\",\"text\":\"a\"}", "not json at all", "{\"id\":2,\"text\":\"b\"}",
        ])
    }

    @Test("CSV rows become tweet objects with nested author and metrics, quotes and newlines kept")
    func csvRowsBecomeTweets() throws {
        let csv = #"""
            id,text,lang,author_username,author_followers,likes,retweets,created_at
            1,"Hello, ""world""",en,alice,1200,5,2,2026-11-01T10:00:00Z
            2,"two
            lines",pl,,,,,
            3,plain,de,bob,many,1,0,
            """#
        let bodies = try TweetFileReader.bodies(from: Array(csv.utf8), format: .csv)
        #expect(bodies.count == 3)
        let decoder = TweetDecoder()
        let first = try decoder.decode(bodies[0])
        #expect(first.id == "1")
        #expect(first.text == "Hello, \"world\"")
        #expect(first.author?.username == "alice")
        #expect(first.author?.followers == 1200)
        #expect(first.metrics?.likes == 5)
        #expect(first.createdAt != nil)
        let second = try decoder.decode(bodies[1])
        #expect(second.text == "two\nlines")
        #expect(second.author == nil)
        // A count that is not a number stays a string, so the daemon can say which field was wrong.
        #expect(throws: TweetValidationError.self) { try decoder.decode(bodies[2]) }
    }

    @Test("An unclosed quote in CSV is reported with its line")
    func unclosedQuoteIsReported() {
        #expect(throws: CSVError.self) {
            try TweetFileReader.bodies(from: Array("id,text\n1,\"open\n".utf8), format: .csv)
        }
    }

    @Test("The format follows the file name")
    func formatFollowsFileName() {
        #expect(TweetFileReader.format(forPath: "a/b.CSV") == .csv)
        #expect(TweetFileReader.format(forPath: "tweets.jsonl") == .jsonLines)
    }
}
