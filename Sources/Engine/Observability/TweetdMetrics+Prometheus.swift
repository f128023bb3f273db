import Prometheus

extension TweetdMetrics {
    /// Metrics recorded into `registry`, whose text exposition `/metrics` serves,
    /// with tweetd's histogram buckets.
    public static func prometheus(registry: PrometheusCollectorRegistry) -> TweetdMetrics {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = durationBuckets
        return TweetdMetrics(factory: factory)
    }
}
