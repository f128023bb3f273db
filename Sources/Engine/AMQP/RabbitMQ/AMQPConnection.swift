import CRabbitMQ
import Foundation

/// Owns one librabbitmq connection and every C value that goes with it.
///
/// Not thread-safe by design: librabbitmq forbids touching a connection from two
/// threads, so each instance is confined to the `ConnectionThread` that made it.
/// No C type leaves the `RabbitMQ` folder: callers see `Delivery`, `InboundEvent` and `AMQPError`.
final class AMQPConnection {
    /// The longest a polite close waits for the broker's answer.
    static let closeTimeout: Duration = .seconds(2)

    /// Where it connects.
    let endpoint: AMQPEndpoint
    /// Which connection this is, counting reconnects, so deliveries can name it.
    let generation: UInt64
    private var state: amqp_connection_state_t?
    private var isOpen = false
    /// Whether TCP_CORK is on (see ``cork()``).
    private var corked = false
    /// Channels tweetd has opened and the broker has not closed.
    private var openChannels: Set<UInt16> = []
    /// Deliveries whose header frame declares a larger body are read off the wire without
    /// keeping the body (``Delivery/unreadBodyBytes``), so a producer's 100 MB message costs
    /// no more memory than a small one; nil reads every body whole.
    var deliveryBodyLimit: Int?
    /// How many times each channel number has been opened on this connection.
    private var channelOpenings: [UInt16: UInt64] = [:]

    /// Creates an unopened connection.
    init(endpoint: AMQPEndpoint, generation: UInt64) {
        self.endpoint = endpoint
        self.generation = generation
    }

    deinit {
        close()
    }

    // MARK: - Opening and closing

    /// Opens the socket (TCP or TLS) and logs in.
    func open(connectionName: String) throws(AMQPError) {
        guard let state = amqp_new_connection() else {
            throw AMQPError(.connectFailed, "could not allocate a librabbitmq connection")
        }
        self.state = state
        let socket = try makeSocket(state)
        var timeout = timeval(
            tv_sec: Int(endpoint.connectTimeoutSeconds),
            tv_usec: Int((endpoint.connectTimeoutSeconds - endpoint.connectTimeoutSeconds.rounded(.down)) * 1_000_000)
        )
        let status = amqp_socket_open_noblock(socket, endpoint.host, Int32(endpoint.port), &timeout)
        if let rejected = certificateRejection(status) {
            throw rejected
        }
        if status != AMQP_STATUS_OK.rawValue {
            throw AMQPError(
                .connectFailed,
                "could not connect to \(endpoint.redactedDescription)",
                libraryText: Self.libraryText(status)
            )
        }
        // Heartbeats only start once logged in, and only while this thread is inside librabbitmq;
        // the kernel's probes also fail a socket whose broker vanished while nobody was reading.
        // Best effort: without them heartbeats still notice, so a refusal is not an error.
        _ = tweetd_socket_set_keepalive(amqp_get_sockfd(state), 30, 10, 3)
        let reply = tweetd_amqp_login_named(
            state, endpoint.virtualHost, 0, 131_072, Int32(endpoint.heartbeatSeconds),
            endpoint.username, endpoint.password, connectionName
        )
        if let error = error(from: reply, channel: 0, doing: "logging in to \(endpoint.redactedDescription) as \(endpoint.username)") {
            var loginError = error
            if loginError.code != .connectionLost { loginError.code = .loginFailed }
            throw loginError
        }
        isOpen = true
    }

    /// A certificate the TLS handshake refused, said in terms of the settings that decide it.
    private func certificateRejection(_ status: Int32) -> AMQPError? {
        let broker = endpoint.redactedDescription
        switch status {
        case AMQP_STATUS_SSL_PEER_VERIFY_FAILED.rawValue:
            let trusted = endpoint.tls?.caFile.map { "broker.tls.ca_file \($0)" } ?? "broker.tls.ca_file (not set)"
            return AMQPError(
                .tlsFailed,
                "the certificate of \(broker) is not signed by a CA in \(trusted), or it has expired",
                libraryText: Self.libraryText(status)
            )
        case AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED.rawValue:
            return AMQPError(
                .tlsFailed,
                "the certificate of \(broker) does not name the host '\(endpoint.host)'; "
                    + "use a host name the certificate carries in broker.url",
                libraryText: Self.libraryText(status)
            )
        default:
            return nil
        }
    }

    private func makeSocket(_ state: amqp_connection_state_t) throws(AMQPError) -> OpaquePointer {
        guard let tls = endpoint.tls else {
            guard let socket = amqp_tcp_socket_new(state) else {
                throw AMQPError(.connectFailed, "could not create a TCP socket")
            }
            return socket
        }
        guard let socket = amqp_ssl_socket_new(state) else {
            throw AMQPError(.connectFailed, "could not create a TLS socket")
        }
        amqp_ssl_socket_set_verify_peer(socket, tls.verifyPeer ? 1 : 0)
        amqp_ssl_socket_set_verify_hostname(socket, tls.verifyHostname ? 1 : 0)
        let versionStatus = amqp_ssl_socket_set_ssl_versions(socket, AMQP_TLSv1_2, AMQP_TLSvLATEST)
        if versionStatus != AMQP_STATUS_OK.rawValue {
            throw AMQPError(.tlsFailed, "could not require TLS 1.2 or newer", libraryText: Self.libraryText(versionStatus))
        }
        if let caFile = tls.caFile {
            let status = amqp_ssl_socket_set_cacert(socket, caFile)
            if status != AMQP_STATUS_OK.rawValue {
                throw AMQPError(.tlsFailed, "could not load the CA file \(caFile) (broker.tls.ca_file)", libraryText: Self.libraryText(status))
            }
        }
        if let certFile = tls.certFile, let keyFile = tls.keyFile {
            let status = amqp_ssl_socket_set_key(socket, certFile, keyFile)
            if status != AMQP_STATUS_OK.rawValue {
                throw AMQPError(
                    .tlsFailed, "could not load the client certificate \(certFile) and key \(keyFile) (broker.tls.cert_file, key_file)",
                    libraryText: Self.libraryText(status)
                )
            }
        }
        return socket
    }

    /// Closes the connection politely when it is still open, then frees everything.
    ///
    /// The polite close waits for the broker's close-ok for at most ``closeTimeout``: a broker
    /// that stopped reading from us (a memory or disk alarm blocks publishing connections) would
    /// otherwise hold a shutting-down tweetd for ever. Unanswered, the socket is simply closed,
    /// and the broker returns unacked deliveries as it does for any lost connection.
    func close() {
        uncork()
        guard let state else { return }
        if isOpen {
            var timeout = timeval(tv_sec: Int(Self.closeTimeout.components.seconds), tv_usec: 0)
            _ = amqp_set_rpc_timeout(state, &timeout)
            _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
        }
        amqp_destroy_connection(state)
        self.state = nil
        isOpen = false
        openChannels.removeAll()
    }

    /// The socket's file descriptor, for `poll`.
    var socketDescriptor: Int32 {
        guard let state else { return -1 }
        return amqp_get_sockfd(state)
    }

    /// Whether frames are already read into librabbitmq's buffers, so `poll` would not see them.
    var hasBufferedFrames: Bool {
        guard let state else { return false }
        return amqp_frames_enqueued(state) != 0 || amqp_data_in_buffer(state) != 0
    }

    /// Lets librabbitmq reuse its memory pools when nothing refers to them.
    func releaseBuffers() {
        guard let state else { return }
        amqp_maybe_release_buffers(state)
    }

    // MARK: - Channels

    /// Opens `channel` unless it is open already.
    func openChannel(_ channel: UInt16) throws(AMQPError) {
        let state = try requireStateForReply()
        if openChannels.contains(channel) { return }
        amqp_channel_open(state, channel)
        try checkLastReply(channel: channel, doing: "opening channel \(channel)")
        openChannels.insert(channel)
        channelOpenings[channel, default: 0] += 1
    }

    /// Whether `channel` is open.
    func isChannelOpen(_ channel: UInt16) -> Bool {
        openChannels.contains(channel)
    }

    /// Which opening of `channel` is current (1 for the first), or nil while it is closed.
    func currentOpening(of channel: UInt16) -> UInt64? {
        openChannels.contains(channel) ? channelOpenings[channel] : nil
    }

    /// Puts `channel` into publisher-confirm mode.
    func selectConfirms(channel: UInt16) throws(AMQPError) {
        let state = try requireStateForReply()
        amqp_confirm_select(state, channel)
        try checkLastReply(channel: channel, doing: "enabling publisher confirms on channel \(channel)")
    }

    /// Limits unacknowledged deliveries on `channel`.
    func setPrefetch(_ count: Int, channel: UInt16) throws(AMQPError) {
        let state = try requireStateForReply()
        amqp_basic_qos(state, channel, 0, UInt16(clamping: count), 0)
        try checkLastReply(channel: channel, doing: "setting prefetch \(count) on channel \(channel)")
    }

    // MARK: - Topology

    /// Declares an exchange (idempotent when it exists with the same settings).
    func declareExchange(_ name: String, type: String, durable: Bool = true, channel: UInt16) throws(AMQPError) {
        let state = try requireStateForReply()
        name.withAMQPBytes { nameBytes in
            type.withAMQPBytes { typeBytes in
                _ = amqp_exchange_declare(state, channel, nameBytes, typeBytes, 0, durable ? 1 : 0, 0, 0, amqp_empty_table)
            }
        }
        try checkLastReply(channel: channel, doing: "declaring exchange \"\(name)\" (\(type))")
    }

    /// Deletes an exchange.
    func deleteExchange(_ name: String, channel: UInt16) throws(AMQPError) {
        let state = try requireStateForReply()
        name.withAMQPBytes { nameBytes in
            _ = amqp_exchange_delete(state, channel, nameBytes, 0)
        }
        try checkLastReply(channel: channel, doing: "deleting exchange \"\(name)\"")
    }

    /// Declares a queue, or with `passive` only checks it; returns its ready-message and consumer counts.
    @discardableResult
    func declareQueue(
        _ name: String,
        durable: Bool = true,
        exclusive: Bool = false,
        autoDelete: Bool = false,
        passive: Bool = false,
        arguments: [String: FieldValue] = [:],
        channel: UInt16
    ) throws(AMQPError) -> (name: String, messages: UInt32, consumers: UInt32) {
        let state = try requireStateForReply()
        let result = name.withAMQPBytes { nameBytes in
            FieldTableEncoder.withTable(arguments) { table in
                amqp_queue_declare(
                    state, channel, nameBytes, passive ? 1 : 0, durable ? 1 : 0,
                    exclusive ? 1 : 0, autoDelete ? 1 : 0, table
                )
            }
        }
        let verb = passive ? "checking" : "declaring"
        try checkLastReply(channel: channel, doing: "\(verb) queue \"\(name)\"")
        guard let result else {
            throw AMQPError(.libraryError, "\(verb) queue \"\(name)\" returned no answer")
        }
        return (String(amqpBytes: result.pointee.queue), result.pointee.message_count, result.pointee.consumer_count)
    }

    /// Binds a queue to an exchange.
    func bindQueue(_ queue: String, exchange: String, routingKey: String, arguments: [String: FieldValue] = [:], channel: UInt16) throws(AMQPError) {
        let state = try requireStateForReply()
        queue.withAMQPBytes { queueBytes in
            exchange.withAMQPBytes { exchangeBytes in
                routingKey.withAMQPBytes { keyBytes in
                    FieldTableEncoder.withTable(arguments) { table in
                        _ = amqp_queue_bind(state, channel, queueBytes, exchangeBytes, keyBytes, table)
                    }
                }
            }
        }
        try checkLastReply(channel: channel, doing: "binding queue \"\(queue)\" to exchange \"\(exchange)\" with \"\(routingKey)\"")
    }

    /// Removes a binding of a queue to an exchange.
    func unbindQueue(_ queue: String, exchange: String, routingKey: String, arguments: [String: FieldValue] = [:], channel: UInt16) throws(AMQPError) {
        let state = try requireStateForReply()
        queue.withAMQPBytes { queueBytes in
            exchange.withAMQPBytes { exchangeBytes in
                routingKey.withAMQPBytes { keyBytes in
                    FieldTableEncoder.withTable(arguments) { table in
                        _ = amqp_queue_unbind(state, channel, queueBytes, exchangeBytes, keyBytes, table)
                    }
                }
            }
        }
        try checkLastReply(channel: channel, doing: "unbinding queue \"\(queue)\" from exchange \"\(exchange)\"")
    }

    /// Deletes a queue; returns how many messages it held.
    @discardableResult
    func deleteQueue(_ name: String, ifUnused: Bool = false, ifEmpty: Bool = false, channel: UInt16) throws(AMQPError) -> UInt32 {
        let state = try requireStateForReply()
        let result = name.withAMQPBytes { nameBytes in
            amqp_queue_delete(state, channel, nameBytes, ifUnused ? 1 : 0, ifEmpty ? 1 : 0)
        }
        try checkLastReply(channel: channel, doing: "deleting queue \"\(name)\"")
        return result?.pointee.message_count ?? 0
    }

    /// Removes every ready message from a queue; returns how many.
    @discardableResult
    func purgeQueue(_ name: String, channel: UInt16) throws(AMQPError) -> UInt32 {
        let state = try requireStateForReply()
        let result = name.withAMQPBytes { nameBytes in
            amqp_queue_purge(state, channel, nameBytes)
        }
        try checkLastReply(channel: channel, doing: "purging queue \"\(name)\"")
        return result?.pointee.message_count ?? 0
    }

    // MARK: - Consuming

    /// Starts a consumer on `queue`; returns the broker's consumer tag.
    func consume(queue: String, exclusive: Bool = false, channel: UInt16) throws(AMQPError) -> String {
        let state = try requireStateForReply()
        let result = queue.withAMQPBytes { queueBytes in
            amqp_basic_consume(state, channel, queueBytes, amqp_empty_bytes, 0, 0, exclusive ? 1 : 0, amqp_empty_table)
        }
        try checkLastReply(channel: channel, doing: "consuming from queue \"\(queue)\"")
        guard let result else {
            throw AMQPError(.libraryError, "consuming from queue \"\(queue)\" returned no consumer tag")
        }
        return String(amqpBytes: result.pointee.consumer_tag)
    }

    /// Stops a consumer; deliveries already sent still arrive and must be settled.
    func cancel(consumerTag: String, channel: UInt16) throws(AMQPError) {
        let state = try requireStateForReply()
        consumerTag.withAMQPBytes { tagBytes in
            _ = amqp_basic_cancel(state, channel, tagBytes)
        }
        try checkLastReply(channel: channel, doing: "cancelling consumer \(consumerTag)")
    }

    /// Acknowledges a delivery (and every earlier one when `multiple`).
    func ack(_ deliveryTag: UInt64, multiple: Bool, channel: UInt16) throws(AMQPError) {
        let state = try requireState()
        try checkStatus(amqp_basic_ack(state, channel, deliveryTag, multiple ? 1 : 0), doing: "acking delivery \(deliveryTag)")
    }

    /// Negatively acknowledges a delivery; with `requeue` the broker delivers it again.
    func nack(_ deliveryTag: UInt64, multiple: Bool, requeue: Bool, channel: UInt16) throws(AMQPError) {
        let state = try requireState()
        try checkStatus(
            amqp_basic_nack(state, channel, deliveryTag, multiple ? 1 : 0, requeue ? 1 : 0),
            doing: "nacking delivery \(deliveryTag)"
        )
    }

    /// Fetches one message with `basic.get`, or nil when the queue is empty.
    func get(queue: String, autoAck: Bool, channel: UInt16) throws(AMQPError) -> Delivery? {
        let state = try requireStateForReply()
        let reply = queue.withAMQPBytes { queueBytes in
            amqp_basic_get(state, channel, queueBytes, autoAck ? 1 : 0)
        }
        if let error = error(from: reply, channel: channel, doing: "getting a message from queue \"\(queue)\"") {
            throw error
        }
        guard reply.reply.id == AMQP_BASIC_GET_OK_METHOD, let decoded = reply.reply.decoded else {
            return nil
        }
        let getOk = decoded.assumingMemoryBound(to: amqp_basic_get_ok_t.self).pointee
        let exchange = String(amqpBytes: getOk.exchange)
        let routingKey = String(amqpBytes: getOk.routing_key)
        let (properties, body) = try readContent(channel: channel, doing: "reading a message from queue \"\(queue)\"")
        var delivery = Delivery(
            deliveryTag: getOk.delivery_tag, connectionGeneration: generation, queue: queue,
            exchange: exchange, routingKey: routingKey, redelivered: getOk.redelivered != 0,
            properties: properties, body: body
        )
        delivery.channelOpening = channelOpenings[channel] ?? 0
        return delivery
    }

    // MARK: - Publishing

    /// Sends a message; with confirms on, its sequence number is the count of publishes on the channel.
    func publish(_ message: OutgoingMessage, channel: UInt16) throws(AMQPError) {
        let state = try requireState()
        let status = message.exchange.withAMQPBytes { exchangeBytes in
            message.routingKey.withAMQPBytes { keyBytes in
                PropertiesEncoder.withProperties(message.properties) { properties in
                    message.body.withUnsafeBytes { body in
                        let bodyBytes = amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress))
                        return amqp_basic_publish(
                            state, channel, exchangeBytes, keyBytes, message.mandatory ? 1 : 0, 0, properties, bodyBytes
                        )
                    }
                }
            }
        }
        try checkStatus(status, doing: "publishing to exchange \"\(message.exchange)\"")
    }

    // MARK: - Reading what the broker sends

    /// Reads the next frame without waiting, with the content frames that belong to it.
    ///
    /// Also gives librabbitmq the chance to send and check heartbeats, so the
    /// owning thread calls it at least every poll interval.
    func nextEvent() throws(AMQPError) -> InboundRead {
        let state = try requireState()
        var frame = amqp_frame_t()
        var noWait = timeval(tv_sec: 0, tv_usec: 0)
        let status = amqp_simple_wait_frame_noblock(state, &frame, &noWait)
        if status == AMQP_STATUS_TIMEOUT.rawValue {
            return .wouldBlock
        }
        try checkStatus(status, doing: "reading from the broker")
        return try inbound(frame)
    }

    /// The ready messages and consumers of `queue`, asked with a passive queue.declare on `channel`; what the
    /// broker sends before the answer is handed to `handle` as it arrives, as ``nextEvent()`` reads it.
    ///
    /// Not librabbitmq's RPC call (``declareQueue(_:durable:exclusive:autoDelete:passive:arguments:channel:)``):
    /// while that waits for its answer it keeps every other frame in memory, body frames included,
    /// and on a consumer's channel the answer comes after every delivery already dispatched to it,
    /// up to prefetch x the largest body. A body over ``deliveryBodyLimit`` would then sit in
    /// memory whole after all; read here, it is dropped frame by frame.
    func countReadyMessages(
        in queue: String, channel: UInt16, handling handle: (InboundEvent) throws(AMQPError) -> Void
    ) throws(AMQPError) -> (messages: UInt32, consumers: UInt32) {
        let state = try requireStateForReply()
        let action = "checking queue \"\(queue)\""
        let status = queue.withAMQPBytes { queueBytes in
            var declare = amqp_queue_declare_t(
                ticket: 0, queue: queueBytes, passive: 1, durable: 0, exclusive: 0, auto_delete: 0, nowait: 0,
                arguments: amqp_empty_table
            )
            return amqp_send_method(state, channel, AMQP_QUEUE_DECLARE_METHOD, &declare)
        }
        try checkStatus(status, doing: action)
        while true {
            var frame = amqp_frame_t()
            try checkStatus(amqp_simple_wait_frame(state, &frame), doing: action)
            if frame.frame_type == UInt8(AMQP_FRAME_METHOD), frame.channel == channel,
               frame.payload.method.id == AMQP_QUEUE_DECLARE_OK_METHOD {
                let answer = frame.payload.method.decoded.assumingMemoryBound(to: amqp_queue_declare_ok_t.self).pointee
                return (answer.message_count, answer.consumer_count)
            }
            switch try inbound(frame) {
            case .event(.channelClosed(channel, let replyCode, let replyText)):
                throw AMQPError(.channelClosed, "\(action) failed: the broker closed channel \(channel)", replyCode: replyCode, replyText: replyText)
            case .event(let event):
                try handle(event)
            case .ignoredFrame, .wouldBlock:
                break
            }
            // The event is copied out: its frames' memory can go back to the pool.
            amqp_maybe_release_buffers_on_channel(state, frame.channel)
        }
    }

    /// What `frame`, just read, asks of the session, with the content frames that belong to it.
    private func inbound(_ frame: amqp_frame_t) throws(AMQPError) -> InboundRead {
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else {
            // A content frame whose method was not a delivery or a return: nothing reads it.
            return .ignoredFrame
        }
        let channel = frame.channel
        let method = frame.payload.method
        switch method.id {
        case AMQP_BASIC_DELIVER_METHOD:
            let deliver = method.decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
            let deliveryTag = deliver.delivery_tag
            let redelivered = deliver.redelivered != 0
            let exchange = String(amqpBytes: deliver.exchange)
            let routingKey = String(amqpBytes: deliver.routing_key)
            let consumerTag = String(amqpBytes: deliver.consumer_tag)
            let (properties, body, unread) = try readDeliveryContent(channel: channel, doing: "reading delivery \(deliveryTag)")
            // basic.deliver names the consumer, not the queue: the session that registered it knows which queue that is.
            var delivery = Delivery(
                deliveryTag: deliveryTag, connectionGeneration: generation, queue: "", consumerTag: consumerTag,
                exchange: exchange, routingKey: routingKey, redelivered: redelivered,
                properties: properties, body: body
            )
            delivery.unreadBodyBytes = unread
            return .event(.delivery(delivery))
        case AMQP_BASIC_ACK_METHOD:
            let ack = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            return .event(.ack(tag: ack.delivery_tag, multiple: ack.multiple != 0))
        case AMQP_BASIC_NACK_METHOD:
            let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            return .event(.nack(tag: nack.delivery_tag, multiple: nack.multiple != 0))
        case AMQP_BASIC_RETURN_METHOD:
            let returned = method.decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
            let replyCode = returned.reply_code
            let replyText = String(amqpBytes: returned.reply_text)
            let exchange = String(amqpBytes: returned.exchange)
            let routingKey = String(amqpBytes: returned.routing_key)
            // The returned message's header and body follow: they say which publish came back.
            let (properties, body) = try readContent(channel: channel, doing: "reading a returned message")
            return .event(.returned(
                replyCode: replyCode, replyText: replyText, exchange: exchange, routingKey: routingKey, properties: properties, body: body
            ))
        case AMQP_BASIC_CANCEL_METHOD:
            let cancel = method.decoded.assumingMemoryBound(to: amqp_basic_cancel_t.self).pointee
            return .event(.consumerCancelled(consumerTag: String(amqpBytes: cancel.consumer_tag)))
        case AMQP_CHANNEL_CLOSE_METHOD:
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            acknowledgeChannelClose(channel)
            return .event(.channelClosed(channel: channel, replyCode: close.reply_code, replyText: String(amqpBytes: close.reply_text)))
        case AMQP_CONNECTION_CLOSE_METHOD:
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            acknowledgeConnectionClose()
            throw AMQPError(
                .connectionClosed, "the broker closed the connection",
                replyCode: close.reply_code, replyText: String(amqpBytes: close.reply_text)
            )
        case AMQP_CONNECTION_BLOCKED_METHOD:
            let blocked = method.decoded.assumingMemoryBound(to: amqp_connection_blocked_t.self).pointee
            return .event(.blocked(reason: String(amqpBytes: blocked.reason)))
        case AMQP_CONNECTION_UNBLOCKED_METHOD:
            return .event(.unblocked)
        default:
            return .ignoredFrame
        }
    }

    /// A delivery's header and body frames; a body over ``deliveryBodyLimit`` is read and dropped
    /// frame by frame (its size comes back instead), so it never sits in memory whole.
    ///
    /// RabbitMQ writes a message's method, header and body frames in one go, so nothing of
    /// another channel comes between them; anything else is a protocol error.
    private func readDeliveryContent(channel: UInt16, doing action: String) throws(AMQPError) -> (MessageProperties, [UInt8], UInt64?) {
        guard let limit = deliveryBodyLimit else {
            let (properties, body) = try readContent(channel: channel, doing: action)
            return (properties, body, nil)
        }
        let state = try requireState()
        var frame = amqp_frame_t()
        try checkStatus(amqp_simple_wait_frame(state, &frame), doing: action)
        guard frame.channel == channel, frame.frame_type == UInt8(AMQP_FRAME_HEADER) else {
            throw AMQPError(.connectionLost, "\(action) failed: expected a content header on channel \(channel), got frame type \(frame.frame_type) on channel \(frame.channel)")
        }
        let bodySize = frame.payload.properties.body_size
        let properties = PropertiesDecoder.decode(frame.payload.properties.decoded.assumingMemoryBound(to: amqp_basic_properties_t.self).pointee)
        let keep = bodySize <= UInt64(limit)
        var body: [UInt8] = []
        if keep { body.reserveCapacity(Int(bodySize)) }
        var received: UInt64 = 0
        while received < bodySize {
            try checkStatus(amqp_simple_wait_frame(state, &frame), doing: action)
            guard frame.channel == channel, frame.frame_type == UInt8(AMQP_FRAME_BODY) else {
                throw AMQPError(.connectionLost, "\(action) failed: expected a body frame on channel \(channel), got frame type \(frame.frame_type) on channel \(frame.channel)")
            }
            let fragment = frame.payload.body_fragment
            if keep, fragment.len > 0, let bytes = fragment.bytes {
                body.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: fragment.len))
            }
            received += UInt64(fragment.len)
            // Each fragment's memory goes back to librabbitmq's pool at once, kept or not.
            amqp_maybe_release_buffers_on_channel(state, channel)
        }
        return (properties, body, keep ? nil : bodySize)
    }

    private func readContent(channel: UInt16, doing action: String) throws(AMQPError) -> (MessageProperties, [UInt8]) {
        let state = try requireState()
        var message = amqp_message_t()
        let reply = amqp_read_message(state, channel, &message, 0)
        if let error = error(from: reply, channel: channel, doing: action) {
            throw error
        }
        defer { amqp_destroy_message(&message) }
        let properties = PropertiesDecoder.decode(message.properties)
        let body: [UInt8]
        if message.body.len > 0, let bytes = message.body.bytes {
            body = Array(UnsafeRawBufferPointer(start: bytes, count: message.body.len))
        } else {
            body = []
        }
        return (properties, body)
    }

    // MARK: - Errors

    /// Holds back partial TCP segments (TCP_CORK) until ``uncork()``, so that the frames of a batch
    /// of publishes and acks leave in full packets. Calls that wait for a reply uncork first.
    func cork() {
        guard !corked, state != nil else { return }
        tweetd_socket_set_corked(socketDescriptor, 1)
        corked = true
    }

    /// Sends what ``cork()`` held back.
    func uncork() {
        guard corked, state != nil else { return }
        tweetd_socket_set_corked(socketDescriptor, 0)
        corked = false
    }

    /// The state for a call that waits for the broker's reply: a request held back by the cork
    /// would not leave until the kernel's 200 ms cork timer, so it is sent first.
    private func requireStateForReply() throws(AMQPError) -> amqp_connection_state_t {
        uncork()
        return try requireState()
    }

    private func requireState() throws(AMQPError) -> amqp_connection_state_t {
        guard let state else {
            throw AMQPError(.notConnected, "the connection to \(endpoint.redactedDescription) is not open")
        }
        return state
    }

    private func checkLastReply(channel: UInt16, doing action: String) throws(AMQPError) {
        let state = try requireState()
        if let error = error(from: amqp_get_rpc_reply(state), channel: channel, doing: action) {
            throw error
        }
    }

    private func checkStatus(_ status: Int32, doing action: String) throws(AMQPError) {
        guard status != AMQP_STATUS_OK.rawValue else { return }
        throw libraryError(status, doing: action)
    }

    private func libraryError(_ status: Int32, doing action: String) -> AMQPError {
        let lost: Set<Int32> = [
            AMQP_STATUS_CONNECTION_CLOSED.rawValue, AMQP_STATUS_SOCKET_ERROR.rawValue,
            AMQP_STATUS_HEARTBEAT_TIMEOUT.rawValue, AMQP_STATUS_SOCKET_CLOSED.rawValue,
            AMQP_STATUS_TCP_ERROR.rawValue, AMQP_STATUS_SSL_ERROR.rawValue,
            AMQP_STATUS_SSL_CONNECTION_FAILED.rawValue, AMQP_STATUS_BAD_AMQP_DATA.rawValue,
            AMQP_STATUS_UNEXPECTED_STATE.rawValue, AMQP_STATUS_TIMEOUT.rawValue,
        ]
        let code: AMQPError.Code = lost.contains(status) ? .connectionLost : .libraryError
        if code == .connectionLost { isOpen = false }
        return AMQPError(code, "\(action) failed", libraryText: Self.libraryText(status))
    }

    /// Turns an RPC reply into an error, answering the broker's close with close-ok first.
    private func error(from reply: amqp_rpc_reply_t, channel: UInt16, doing action: String) -> AMQPError? {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return nil
        case AMQP_RESPONSE_NONE:
            return AMQPError(.libraryError, "\(action) failed: no reply from the broker")
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            return libraryError(reply.library_error, doing: action)
        default:
            switch reply.reply.id {
            case AMQP_CONNECTION_CLOSE_METHOD:
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                acknowledgeConnectionClose()
                return AMQPError(
                    .connectionClosed, "\(action) failed: the broker closed the connection",
                    replyCode: close.reply_code, replyText: String(amqpBytes: close.reply_text)
                )
            case AMQP_CHANNEL_CLOSE_METHOD:
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                acknowledgeChannelClose(channel)
                return AMQPError(
                    .channelClosed, "\(action) failed: the broker closed channel \(channel)",
                    replyCode: close.reply_code, replyText: String(amqpBytes: close.reply_text)
                )
            default:
                return AMQPError(.libraryError, "\(action) failed: unexpected method 0x\(String(reply.reply.id, radix: 16))")
            }
        }
    }

    private func acknowledgeChannelClose(_ channel: UInt16) {
        openChannels.remove(channel)
        guard let state else { return }
        var closeOk = amqp_channel_close_ok_t(dummy: 0)
        _ = amqp_send_method(state, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &closeOk)
    }

    private func acknowledgeConnectionClose() {
        guard let state else { return }
        var closeOk = amqp_connection_close_ok_t(dummy: 0)
        _ = amqp_send_method(state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &closeOk)
        isOpen = false
        openChannels.removeAll()
    }

    private static func libraryText(_ status: Int32) -> String {
        guard let text = amqp_error_string2(status) else { return "status \(status)" }
        return String(cString: text)
    }
}
