/// How the pipeline runs.
public struct PipelineSettings: Sendable {
    /// Messages processed at once.
    public var workers: Int
    /// Deliveries the broker may send ahead of acks; near `workers`, or priorities stop mattering.
    public var prefetch: Int
    /// Stop once the input and retry queues are empty and nothing is in flight.
    public var drain: Bool
    /// How long to wait before returning a message whose result could not be published,
    /// so a broken results exchange does not turn into a hot redelivery loop.
    public var requeueDelay: Duration
    /// How often drain mode asks the broker whether the queues are empty.
    public var drainCheckInterval: Duration
    /// Attempts before a transient provider failure becomes a dead letter.
    public var maxAttempts: Int
    /// Bodies declared larger than this are not read into memory: the delivery is rejected
    /// and the broker moves it, whole, to the input queue's dead-letter exchange. Nil reads all.
    public var bodyReadLimit: Int?

    /// Creates settings.
    public init(
        workers: Int,
        prefetch: Int,
        drain: Bool = false,
        maxAttempts: Int = 4,
        requeueDelay: Duration = .seconds(1),
        drainCheckInterval: Duration = .milliseconds(50),
        bodyReadLimit: Int? = nil
    ) {
        self.bodyReadLimit = bodyReadLimit
        self.workers = workers
        self.prefetch = prefetch
        self.drain = drain
        self.maxAttempts = maxAttempts
        self.requeueDelay = requeueDelay
        self.drainCheckInterval = drainCheckInterval
    }
}
