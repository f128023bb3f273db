import Prometheus

/// What the observability listener answers, path by path.
public enum ObservabilityEndpoints {
    /// The content type of the Prometheus text exposition format.
    public static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `/metrics`: the registry's exposition, with the pipeline's gauges updated first;
    /// `/healthz`: 200 while the pipeline has not stopped; `/readyz`: 200 while the
    /// pipeline is connected and consuming, else 503 with the reason; `/`: the
    /// dashboard page; `/api/stats`: what `stats` returns; anything else 404.
    public static func route(
        pipeline: TweetPipeline,
        registry: PrometheusCollectorRegistry,
        stats: @escaping @Sendable () -> [UInt8]
    ) -> ObservabilityHTTPServer.Route {
        let page = Array(Dashboard.page.utf8)
        return { path in
            switch path {
            case "/", "/index.html":
                return HTTPReply(status: 200, contentType: "text/html; charset=utf-8", body: page)
            case "/api/stats":
                return HTTPReply(status: 200, contentType: "application/json", body: stats())
            case "/metrics":
                pipeline.updateStateGauges()
                var exposition: [UInt8] = []
                exposition.reserveCapacity(16 * 1024)
                registry.emit(into: &exposition)
                return HTTPReply(status: 200, contentType: prometheusContentType, body: exposition)
            case "/healthz":
                return pipeline.isStopped ? HTTPReply(status: 503, text: "stopped\n") : HTTPReply(status: 200, text: "ok\n")
            case "/readyz":
                let readiness = pipeline.readiness
                return HTTPReply(status: readiness.ready ? 200 : 503, text: readiness.reason + "\n")
            default:
                return HTTPReply(status: 404, text: "not found; try /, /api/stats, /metrics, /healthz or /readyz\n")
            }
        }
    }
}
