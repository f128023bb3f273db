/// Declarations and queries on a connection's control channel.
///
/// Handed to closures that run on a connection thread (`PublisherConnection.perform`,
/// a consumer's set-up hook); only valid inside that closure. A broker error
/// such as 404 closes only the control channel, which reopens on the next use,
/// so publishing on the main channel is never disturbed.
public struct BrokerAdmin {
    let connection: AMQPConnection
    let channel: UInt16

    init(connection: AMQPConnection, channel: UInt16) throws(AMQPError) {
        self.connection = connection
        self.channel = channel
        try connection.openChannel(channel)
    }

    /// Declares a durable exchange of `type` (`topic`, `direct`, `fanout`, `headers`).
    public func declareExchange(_ name: String, type: String, durable: Bool = true) throws(AMQPError) {
        try connection.declareExchange(name, type: type, durable: durable, channel: try reopened())
    }

    /// Deletes an exchange.
    public func deleteExchange(_ name: String) throws(AMQPError) {
        try connection.deleteExchange(name, channel: try reopened())
    }

    /// Declares a queue; returns its ready-message and consumer counts.
    @discardableResult
    public func declareQueue(
        _ name: String,
        durable: Bool = true,
        exclusive: Bool = false,
        autoDelete: Bool = false,
        arguments: [String: FieldValue] = [:]
    ) throws(AMQPError) -> QueueState {
        let answer = try connection.declareQueue(
            name, durable: durable, exclusive: exclusive, autoDelete: autoDelete, arguments: arguments, channel: try reopened()
        )
        return QueueState(name: answer.name, messages: Int(answer.messages), consumers: Int(answer.consumers))
    }

    /// Reads a queue's ready-message and consumer counts without changing it; throws 404 when it does not exist.
    public func inspectQueue(_ name: String) throws(AMQPError) -> QueueState {
        let answer = try connection.declareQueue(name, passive: true, channel: try reopened())
        return QueueState(name: answer.name, messages: Int(answer.messages), consumers: Int(answer.consumers))
    }

    /// Binds a queue to an exchange.
    public func bindQueue(_ queue: String, to exchange: String, routingKey: String, arguments: [String: FieldValue] = [:]) throws(AMQPError) {
        try connection.bindQueue(queue, exchange: exchange, routingKey: routingKey, arguments: arguments, channel: try reopened())
    }

    /// Deletes a queue; returns how many messages it held.
    @discardableResult
    public func deleteQueue(_ name: String) throws(AMQPError) -> Int {
        Int(try connection.deleteQueue(name, channel: try reopened()))
    }

    /// Removes every ready message from a queue; returns how many.
    @discardableResult
    public func purgeQueue(_ name: String) throws(AMQPError) -> Int {
        Int(try connection.purgeQueue(name, channel: try reopened()))
    }

    /// Takes one message off a queue with `basic.get` and acknowledges it at once; nil when empty.
    public func take(from queue: String) throws(AMQPError) -> Delivery? {
        try connection.get(queue: queue, autoAck: true, channel: try reopened())
    }

    private func reopened() throws(AMQPError) -> UInt16 {
        try connection.openChannel(channel)
        return channel
    }
}

/// What the broker says about a queue.
public struct QueueState: Sendable, Equatable {
    /// The queue's name (the broker's, for server-named queues).
    public var name: String
    /// Messages ready for delivery (not counting delivered, unacknowledged ones).
    public var messages: Int
    /// Active consumers.
    public var consumers: Int

    /// Creates a queue state.
    public init(name: String, messages: Int, consumers: Int) {
        self.name = name
        self.messages = messages
        self.consumers = consumers
    }
}
