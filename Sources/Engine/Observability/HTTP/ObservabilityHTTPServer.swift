import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// One answer of the observability listener.
public struct HTTPReply: Sendable, Equatable {
    /// The HTTP status, 200 or 503 for health, 404 for an unknown path.
    public var status: Int
    /// The `content-type` header.
    public var contentType: String
    /// The body.
    public var body: [UInt8]

    /// A reply with a UTF-8 text body.
    public init(status: Int, contentType: String = "text/plain; charset=utf-8", text: String) {
        self.status = status
        self.contentType = contentType
        self.body = Array(text.utf8)
    }

    /// A reply with a body of bytes.
    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// The small HTTP/1.1 listener behind `metrics.listen`: `GET` (or `HEAD`) on a
/// path is answered by `route`, synchronously on the connection's event loop,
/// which suits its few cheap endpoints (`/metrics`, `/healthz`, `/readyz`).
///
/// ``bind()`` opens the socket before the service group starts, so that a
/// port already in use stops start-up with a clear error; ``run()`` serves
/// until graceful shutdown and then closes the socket.
public final class ObservabilityHTTPServer: Service {
    /// Answers a request for `path` (query string removed).
    public typealias Route = @Sendable (_ path: String) -> HTTPReply

    /// How long a connection may take and how many may be open at once, so
    /// that idle or slow clients cannot use up the process's file
    /// descriptors, which the broker connections need too.
    public struct Limits: Sendable, Equatable {
        /// Longest a connection may stay open: time for the client to send
        /// its request and read the answer. Default 10 s; scrapers and
        /// probes need milliseconds.
        public var requestTimeout: Duration
        /// Connections open at once; a new one beyond it is closed at once,
        /// without an answer. Default 64, far more than a few scrapers,
        /// probes and dashboards use, far less than the 1,024 descriptors a
        /// process gets by default.
        public var maxConnections: Int

        /// Limits with the defaults listed on each property.
        public init(requestTimeout: Duration = .seconds(10), maxConnections: Int = 64) {
            self.requestTimeout = requestTimeout
            self.maxConnections = maxConnections
        }
    }

    private let address: MetricsConfiguration.ListenAddress
    private let limits: Limits
    private let route: Route
    private let logger: Logger
    private let channel = Mutex<(any Channel)?>(nil)

    /// A listener for `address` answering with `route`, within `limits`.
    public init(
        address: MetricsConfiguration.ListenAddress,
        limits: Limits = Limits(),
        logger: Logger,
        route: @escaping Route
    ) {
        self.address = address
        self.limits = limits
        self.route = route
        self.logger = logger
    }

    /// Opens the socket; returns the port it listens on (the chosen one for port 0).
    public func bind() async throws -> Int {
        let route = self.route
        let limits = self.limits
        let logger = self.logger
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionCap(limit: limits.maxConnections, logger: logger)
                    )
                }
            }
            .childChannelInitializer { channel in
                // Whatever the client does or fails to do, the connection ends by then.
                let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(limits.requestTimeout)) {
                    channel.close(promise: nil)
                }
                channel.closeFuture.whenComplete { _ in deadline.cancel() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(route: route))
                }
            }
        let channel = try await bootstrap.bind(host: address.host, port: address.port).get()
        self.channel.withLock { $0 = channel }
        return channel.localAddress?.port ?? address.port
    }

    /// Serves until graceful shutdown; binds first if ``bind()`` was not called.
    public func run() async throws {
        if channel.withLock({ $0 }) == nil {
            _ = try await bind()
        }
        try? await gracefulShutdown()
        await close()
    }

    /// Closes the listening socket.
    public func close() async {
        let channel = self.channel.withLock { channel in
            defer { channel = nil }
            return channel
        }
        try? await channel?.close()
    }
}

/// Sits in front of the listener's accept handler and closes accepted
/// connections beyond the cap before they are set up, so that idle clients
/// cannot hold more than `limit` descriptors.
private final class ConnectionCap: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let limit: Int
    private let logger: Logger
    private let open = OpenConnections()
    /// When the last refusal was logged: a client flooding the port gets one line a minute, not one per connection.
    private var lastWarning: NIODeadline?

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        guard open.enter(limit: limit) else {
            connection.close(promise: nil)
            let now = NIODeadline.now()
            if lastWarning.map({ now - $0 >= .minutes(1) }) ?? true {
                lastWarning = now
                logger.warning("metrics listener: \(limit) connections open, closing new ones until some end")
            }
            return
        }
        connection.closeFuture.whenComplete { [open] _ in open.leave() }
        context.fireChannelRead(data)
    }
}

/// The count of open connections: raised on the accepting event loop,
/// lowered on whichever loop a connection closes on.
private final class OpenConnections: Sendable {
    private let count = Atomic<Int>(0)

    /// Counts one more connection, unless `limit` are already open.
    func enter(limit: Int) -> Bool {
        if count.wrappingAdd(1, ordering: .relaxed).newValue <= limit { return true }
        count.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    func leave() {
        count.wrappingSubtract(1, ordering: .relaxed)
    }
}

/// Reads one request, answers it, closes the connection: scrapers and probes
/// open a connection per request anyway, and it keeps the handler simple.
private final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let route: ObservabilityHTTPServer.Route
    private var request: HTTPRequestHead?

    init(route: @escaping ObservabilityHTTPServer.Route) {
        self.route = route
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let reply: HTTPReply
        switch head.method {
        case .GET, .HEAD:
            let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "/"
            reply = route(path)
        default:
            reply = HTTPReply(status: 405, text: "only GET and HEAD\n")
        }
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: reply.contentType)
        headers.add(name: "content-length", value: String(reply.body.count))
        headers.add(name: "connection", value: "close")
        let status = HTTPResponseStatus(statusCode: reply.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: reply.body)))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
