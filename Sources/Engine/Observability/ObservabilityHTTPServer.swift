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

    private let address: MetricsConfiguration.ListenAddress
    private let route: Route
    private let logger: Logger
    private let channel = Mutex<(any Channel)?>(nil)

    /// A listener for `address` answering with `route`.
    public init(address: MetricsConfiguration.ListenAddress, logger: Logger, route: @escaping Route) {
        self.address = address
        self.route = route
        self.logger = logger
    }

    /// Opens the socket; returns the port it listens on (the chosen one for port 0).
    public func bind() async throws -> Int {
        let route = self.route
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
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
