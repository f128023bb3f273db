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

    /// Removes a binding made by ``bindQueue(_:to:routingKey:arguments:)``, with the same arguments.
    public func unbindQueue(_ queue: String, from exchange: String, routingKey: String, arguments: [String: FieldValue] = [:]) throws(AMQPError) {
        try connection.unbindQueue(queue, exchange: exchange, routingKey: routingKey, arguments: arguments, channel: try reopened())
    }

    /// Deletes a queue; returns how many messages it held.
    ///
    /// With `ifUnused` / `ifEmpty` the broker refuses (406) a queue that has consumers or
    /// messages at that moment, so nothing that arrived since a check can be deleted with it.
    @discardableResult
    public func deleteQueue(_ name: String, ifUnused: Bool = false, ifEmpty: Bool = false) throws(AMQPError) -> Int {
        Int(try connection.deleteQueue(name, ifUnused: ifUnused, ifEmpty: ifEmpty, channel: try reopened()))
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

    /// Takes one message off a queue with `basic.get` without acknowledging it; nil when empty.
    ///
    /// The message stays the broker's until `acknowledge` or `requeue` settles it
    /// on this same connection; if the connection or the control channel closes
    /// first, the broker puts it back in the queue, so nothing fetched is ever lost.
    /// A failed call on the control channel closes it too (the next call reopens
    /// it, and the messages fetched before can then no longer be settled), so a
    /// caller holding fetched messages stops at the first error.
    /// Unlike a consumer's deliveries, fetched messages are not limited by a
    /// prefetch: a caller may hold many, for example to walk a queue once without
    /// meeting the same message again.
    public func fetch(from queue: String) throws(AMQPError) -> Delivery? {
        try connection.get(queue: queue, autoAck: false, channel: try reopened())
    }

    /// Acknowledges a message from `fetch`: the broker forgets it.
    public func acknowledge(_ delivery: Delivery) throws(AMQPError) {
        try connection.ack(try fetchedTag(delivery), multiple: false, channel: channel)
    }

    /// Gives a message from `fetch` back to its queue, where it keeps its place.
    public func requeue(_ delivery: Delivery) throws(AMQPError) {
        try connection.nack(try fetchedTag(delivery), multiple: false, requeue: true, channel: channel)
    }

    /// The delivery tag of a fetched message, when it can still be settled here.
    ///
    /// A tag only means something on the opening of the channel that fetched it:
    /// once that channel or connection has closed, the broker has already put the
    /// message back, and settling the tag on the reopened channel would hit another
    /// message (or close the channel with 406).
    private func fetchedTag(_ delivery: Delivery) throws(AMQPError) -> UInt64 {
        guard delivery.connectionGeneration == connection.generation,
            connection.currentOpening(of: channel) == delivery.channelOpening
        else {
            throw AMQPError(
                .channelClosed,
                "message \(delivery.deliveryTag) from queue \"\(delivery.queue)\" can no longer be settled: "
                    + "its channel closed, so the broker has put it back in the queue"
            )
        }
        return delivery.deliveryTag
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
