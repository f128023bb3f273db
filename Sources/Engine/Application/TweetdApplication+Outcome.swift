import Foundation

extension TweetdApplication {
    /// What a finished run did: the numbers behind the drain summary and the `--report` file.
    public struct Outcome: Sendable {
        /// What the pipeline settled, by outcome, priority, category and provider.
        public var statistics: PipelineStatistics.Snapshot
        /// When the services started (wall clock).
        public var startedAt: Date
        /// When the last service had stopped and the provider clients were shut down (wall clock).
        public var finishedAt: Date
        /// The run's length on the monotonic clock, in seconds, which a wall-clock change cannot skew.
        public var elapsedSeconds: Double
        /// Workers at the end, after any reload.
        public var workers: Int
        /// The starting `processing.prefetch`; a reload does not change what the report shows.
        public var prefetch: Int
        /// Request statistics by provider: the chain's own counts, else what the results say.
        public var providers: [String: ProviderRequestStatistics]

        /// The drain summary printed at the end of `tweetd run --drain`.
        public var summary: RunSummary {
            RunSummary(statistics: statistics, elapsedSeconds: elapsedSeconds, workers: workers)
        }

        /// What the JSON report (``DrainReport``) is made from.
        public var reportInput: DrainReportInput {
            DrainReportInput(
                startedAt: startedAt, finishedAt: finishedAt, elapsedSeconds: elapsedSeconds,
                workers: workers, prefetch: prefetch, statistics: statistics, providers: providers
            )
        }
    }
}
