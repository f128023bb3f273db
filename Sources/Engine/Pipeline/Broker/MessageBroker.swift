/// What the pipeline asks of the broker: a source of deliveries and a sink for what it publishes.
///
/// The daemon uses ``RabbitMQBroker`` (two librabbitmq connections); the engine's tests use an
/// in-memory broker, so the pipeline's own logic (order, settlement, shutdown, drain) is
/// specified without one. What RabbitMQ itself does (confirms, returns, alarms, redelivery)
/// is tested against a real node.
public protocol MessageBroker: Sendable {
    /// Creates (without opening) the connection deliveries come on; `handler` gets each delivery
    /// on the source's own thread and must not block. A delivery declaring a body larger than
    /// `bodyReadLimit` arrives without it (``Delivery/unreadBodyBytes``); nil reads every body.
    func makeSource(consuming queues: [String], prefetch: Int, bodyReadLimit: Int?, handler: DeliveryHandler) -> any DeliverySource
    /// Creates (without opening) the connection results, retries and dead letters are published on.
    func makeSink() -> any MessageSink
    /// Where the broker is, for logs; never with a password.
    var redactedDescription: String { get }
}

/// Where a source hands its deliveries.
public struct DeliveryHandler: Sendable {
    /// Takes one delivery; false when the pipeline no longer takes work, and the source gives it back.
    public var deliver: @Sendable (Delivery) -> Bool
    /// The connection with this generation is gone and the broker gives its unacked deliveries
    /// back to their queues: any copy still buffered must not be processed.
    public var connectionLost: @Sendable (_ generation: UInt64) -> Void

    /// Creates a handler.
    public init(deliver: @escaping @Sendable (Delivery) -> Bool, connectionLost: @escaping @Sendable (UInt64) -> Void) {
        self.deliver = deliver
        self.connectionLost = connectionLost
    }
}

/// Deliveries from the input queues, with what settles them.
public protocol DeliverySource: AnyObject, Sendable {
    /// Opens the connection and registers the consumers; waits (retrying) until the broker answers.
    func start() async throws
    /// True while consumers are registered on an open connection.
    var isConsuming: Bool { get }
    /// Whether deliveries of connection `generation` can still be acked: false once it died.
    func isLive(generation: UInt64) -> Bool
    /// Acks `delivery`; never blocks (the source's thread sends it).
    func ack(_ delivery: Delivery)
    /// Gives `delivery` back to its queue (`requeue`), or to the queue's dead-letter exchange.
    func nack(_ delivery: Delivery, requeue: Bool)
    /// The prefetch the consumers are registered with.
    var prefetch: Int { get }
    /// Registers the consumers again with a new prefetch.
    func changePrefetch(_ prefetch: Int)
    /// Messages ready in `queues`, counted so that no delivery sent before the count is still on its way.
    func readyMessages(in queues: [String]) async throws(AMQPError) -> Int
    /// Stops new deliveries; deliveries already sent still arrive and can be settled.
    func cancelConsumers()
    /// Sends what is queued (final acks included) and closes.
    func close() async
}

/// Where the pipeline publishes, with the broker's confirm.
public protocol MessageSink: AnyObject, Sendable {
    /// Opens the connection (declaring the topology); waits (retrying) until the broker answers.
    func start() async throws
    /// True while the connection is open.
    var isConnected: Bool { get }
    /// Why publishes fail lately, for readiness; nil while they succeed.
    var publishingFailure: String? { get }
    /// Publishes `message` and returns once the broker confirmed it; `onConfirmed` runs first, on
    /// the sink's thread, so an ack can leave at the moment of the confirm. Throws
    /// ``AMQPError/Code/cancelled`` when the caller's task is cancelled while it waits.
    func publish(_ message: OutgoingMessage, onConfirmed: (@Sendable () -> Void)?) async throws(AMQPError)
    /// Messages in `queues` (the retry queues, which nobody consumes).
    func messageCount(in queues: [String]) async throws(AMQPError) -> Int
    /// Closes, failing whatever still waits for a confirm.
    func close() async
}
