/// Something the broker sent that was not the answer to a call tweetd made.
enum InboundEvent {
    /// A message delivered to one of our consumers.
    case delivery(Delivery)
    /// Publisher confirm: everything up to `tag` (when `multiple`) or just `tag` is safe.
    case ack(tag: UInt64, multiple: Bool)
    /// Publisher confirm: the broker could not take the message(s).
    case nack(tag: UInt64, multiple: Bool)
    /// A mandatory message that no queue took, with its content so it can be matched to its publish; its confirm follows.
    case returned(replyCode: UInt16, replyText: String, exchange: String, routingKey: String, properties: MessageProperties, body: [UInt8])
    /// The broker closed a channel; close-ok has been sent, the channel number is free again.
    case channelClosed(channel: UInt16, replyCode: UInt16, replyText: String)
    /// The broker cancelled a consumer (its queue was deleted, for example).
    case consumerCancelled(consumerTag: String)
    /// The broker stopped reading from us (memory or disk alarm).
    case blocked(reason: String)
    /// The broker reads from us again.
    case unblocked
}

/// What one non-blocking read of the connection found (``AMQPConnection/nextEvent()``).
enum InboundRead {
    /// The broker sent something the session must handle.
    case event(InboundEvent)
    /// A frame was read and dropped because it asks nothing of the session: a method tweetd
    /// does not act on, or a content frame no method of ours claimed. More may be buffered
    /// behind it. (librabbitmq consumes heartbeats itself; they never show up here.)
    case ignoredFrame
    /// Nothing was buffered or waiting on the socket: reading again now would find nothing,
    /// so the caller can sleep in `poll` until the socket becomes readable.
    case wouldBlock
}
