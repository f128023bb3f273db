import Prometheus

extension TweetdMetrics {
    /// Metrics recorded into `registry`, whose text exposition `/metrics` serves,
    /// with tweetd's histogram buckets.
    public static func prometheus(registry: PrometheusCollectorRegistry) -> TweetdMetrics {
        TweetdMetrics(factory: prometheusFactory(registry: registry))
    }

    /// A swift-metrics factory recording into `registry` with tweetd's histogram buckets,
    /// for bootstrapping the process-wide metrics system on the same registry.
    public static func prometheusFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = durationBuckets
        return factory
    }
}
