import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Limits on what one HTTP/1 request may make the server hold, enforced per connection by ``RequestLimitHandler``.
package struct RequestLimits: Sendable, Equatable {
    /// The longest request target (path and query) answered; longer ones get 414.
    package var maxURIBytes: Int
    /// The most bytes of header names and values answered; more get 431.
    package var maxHeaderBytes: Int
    /// How long a request may take to arrive once its head is read (body included); then the connection is closed.
    package var readTimeout: TimeAmount

    package init(maxURIBytes: Int = 8_192, maxHeaderBytes: Int = 32_768, readTimeout: TimeAmount = .seconds(30)) {
        self.maxURIBytes = max(64, maxURIBytes)
        self.maxHeaderBytes = max(64, maxHeaderBytes)
        self.readTimeout = readTimeout
    }

    /// The HTTP decoder's own limit for a request head (URI and headers together): beyond it the decoder stops parsing,
    /// and ``RequestLimitHandler`` answers 431 and closes. Sized so that every head within the limits above parses.
    package var decoderHeadLimit: Int { maxURIBytes + maxHeaderBytes + 1_024 }
}

/// Sits between the HTTP/1 codec and the request handler (Hummingbird's `additionalChannelHandlers`) and enforces
/// ``RequestLimits``:
/// - a head whose URI or headers are over the limit is answered here — `414 {"error":"request URI too long"}` or
///   `431 {"error":"request header fields too large"}` — and the connection is closed; the request never reaches a route;
/// - a head over the decoder's limit (the decoder's `headerOverflow`) is answered `431` the same way, instead of
///   Hummingbird's empty `400`;
/// - a request whose body has not fully arrived ``RequestLimits/readTimeout`` after its head closes the connection
///   (a half-sent head is closed by the idle timeout, which only complete parts reset).
///
/// A rejection waits for the responses to earlier pipelined requests on the connection, so answers never interleave.
/// As with everything that runs on the `EventLoop`, it never blocks.
package final class RequestLimitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    package typealias InboundIn = HTTPRequestPart
    package typealias InboundOut = HTTPRequestPart
    package typealias OutboundIn = HTTPResponsePart
    package typealias OutboundOut = HTTPResponsePart

    /// How long a rejected connection is still read (and what arrives discarded) before it is closed.
    static let linger = TimeAmount.seconds(2)

    private let limits: RequestLimits
    /// Requests forwarded whose response has not ended yet.
    private var inFlight = 0
    /// Set once a request was rejected: nothing more is read from the connection.
    private var rejected = false
    /// The rejection to write once the responses in flight have ended.
    private var pendingRejection: (status: HTTPResponse.Status, message: String)?
    private var readTimer: Scheduled<Void>?

    package init(limits: RequestLimits) {
        self.limits = limits
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !rejected else { return }
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let head):
            if let violation = violation(of: head) {
                reject(context: context, status: violation.status, message: violation.message)
                return
            }
            inFlight += 1
            startReadTimer(context: context)
        case .body:
            break
        case .end:
            readTimer?.cancel()
            readTimer = nil
        }
        context.fireChannelRead(data)
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? HTTPParserError, case .headerOverflow = error, !rejected {
            reject(context: context, status: .requestHeaderFieldsTooLarge, message: "request header fields too large")
            return
        }
        context.fireErrorCaught(error)
    }

    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        guard case .end = unwrapOutboundIn(data) else { return }
        inFlight = max(0, inFlight - 1)
        if inFlight == 0, let pending = pendingRejection {
            pendingRejection = nil
            writeRejection(context: context, status: pending.status, message: pending.message)
        }
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        readTimer?.cancel()
    }

    package func channelInactive(context: ChannelHandlerContext) {
        readTimer?.cancel()
        context.fireChannelInactive()
    }

    private func violation(of head: HTTPRequest) -> (status: HTTPResponse.Status, message: String)? {
        let uriBytes = (head.path ?? "").utf8.count
        if uriBytes > limits.maxURIBytes { return (.uriTooLong, "request URI too long") }
        var headerBytes = 0
        for field in head.headerFields { headerBytes += field.name.rawName.utf8.count + field.value.utf8.count }
        if headerBytes > limits.maxHeaderBytes { return (.requestHeaderFieldsTooLarge, "request header fields too large") }
        return nil
    }

    private func reject(context: ChannelHandlerContext, status: HTTPResponse.Status, message: String) {
        rejected = true
        readTimer?.cancel()
        readTimer = nil
        if inFlight == 0 {
            writeRejection(context: context, status: status, message: message)
        } else {
            pendingRejection = (status, message)
        }
    }

    private func writeRejection(context: ChannelHandlerContext, status: HTTPResponse.Status, message: String) {
        var body = context.channel.allocator.buffer(capacity: message.utf8.count + 16)
        body.writeString(#"{"error":""# + message + "\"}\n")
        let head = HTTPResponse(
            status: status,
            headerFields: [
                .contentType: "application/json", .contentLength: String(body.readableBytes),
                .connection: "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        // Half-close, then close a moment later: closing with the rest of an oversize head unread would reset the
        // connection, and the client could lose the answer before reading it.
        // The callbacks run on the channel's event loop, where the context may be used.
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            bound.value.close(mode: .output, promise: nil)
            bound.value.eventLoop.scheduleTask(in: Self.linger) { bound.value.close(promise: nil) }
        }
    }

    private func startReadTimer(context: ChannelHandlerContext) {
        readTimer?.cancel()
        // The task runs on the channel's event loop; the handler is held weakly, so a pending timer keeps no closed
        // connection's handler alive.
        let bound = NIOLoopBound((handler: WeakHandler(value: self), context: context), eventLoop: context.eventLoop)
        readTimer = context.eventLoop.scheduleTask(in: limits.readTimeout) {
            guard let handler = bound.value.handler.value, handler.readTimer != nil else { return }
            handler.readTimer = nil
            bound.value.context.close(promise: nil)
        }
    }

    private struct WeakHandler {
        weak var value: RequestLimitHandler?
    }
}

extension RequestLimits {
    /// The HTTP/1 server census runs: these limits, the decoder's head limit and `idleTimeout` (a connection with no
    /// complete request part read and no response written for that long is closed).
    package func http1Server(idleTimeout: TimeAmount) -> HTTPServerBuilder {
        let limits = self
        var configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestLimitHandler(limits: limits)], idleTimeout: idleTimeout,
            httpDecoderConfiguration: .init(maxHeaderFieldSize: limits.decoderHeadLimit, maxHeaderListSize: limits.decoderHeadLimit))
        configuration.idleTimeout = idleTimeout
        return .http1(configuration: configuration)
    }
}
