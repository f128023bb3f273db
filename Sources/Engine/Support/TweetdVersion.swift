/// The version of tweetd.
public enum TweetdVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
