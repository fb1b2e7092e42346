import Foundation
import NIOCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@testable import Store

@Suite("INSERT bodies in pieces")
struct CurlUploadTests {
    @Test("a body's pieces are read in order, in reads of any size, and again from the start after a rewind")
    func readsPiecesInOrder() {
        let pieces = [ByteBuffer(string: "abc"), ByteBuffer(), ByteBuffer(string: "defgh"), ByteBuffer(string: "i")]
        for size in [1, 2, 3, 4, 7, 64] {
            let upload = CurlUpload(pieces)
            #expect(upload.count == 9)
            for _ in 0..<2 {
                var read: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: size)
                while true {
                    let n = chunk.withUnsafeMutableBytes { upload.read(into: $0) }
                    if n == 0 { break }
                    read += chunk[0..<n]
                }
                #expect(String(decoding: read, as: UTF8.self) == "abcdefghi", "reads of \(size) bytes")
                #expect(upload.seek(to: 0))
            }
            #expect(upload.seek(to: 4))
            var rest = [UInt8](repeating: 0, count: 16)
            let n = rest.withUnsafeMutableBytes { upload.read(into: $0) }
            #expect(String(decoding: rest[0..<n], as: UTF8.self) == "efghi")
            #expect(!upload.seek(to: 10))
            #expect(!upload.seek(to: -1))
        }
    }

    @Test("appending to a prepared body shares its bytes: the prepared piece is not copied")
    func appendingSharesThePreparedBytes() throws {
        let prepared = InsertBody(plain: ByteBuffer(repeating: 7, count: 1 << 20))
        let attempt = try prepared.appending(ByteBuffer(string: "tail"))
        #expect(attempt.pieces.count == 2)
        #expect(attempt.plainBytes == (1 << 20) + 4)
        let same = prepared.pieces[0].withUnsafeReadableBytes { a in attempt.pieces[0].withUnsafeReadableBytes { b in a.baseAddress == b.baseAddress }
        }
        #expect(same)
    }

    /// A server that answers the first request on a connection, then reads the next request and closes the connection
    /// without answering — as a ClickHouse does whose keep-alive timeout ended while the request was on its way. libcurl
    /// then sends the request again on a fresh connection, which needs the body from its start: without a way to rewind
    /// it, the transfer fails ("necessary data rewind wasn't possible").
    @Test(
        "a body in pieces is sent again whole when libcurl resends it on a fresh connection (a kept-alive one the server closed)",
        .timeLimit(.minutes(1)))
    func resendRewindsTheBody() async throws {
        let server = try ClosingHTTPServer()
        defer { server.stop() }
        let client = try ClickHouseClient(
            configuration: .init(url: "http://127.0.0.1:\(server.port)", maxConnections: 1, gzipThreshold: nil, retryPolicy: .noRetry),
            logger: TestServer.logger)
        _ = try await client.execute("SELECT 1")
        var head = ByteBuffer()
        for i in 0..<200_000 { head.writeInteger(UInt32(i)) }
        let body = try InsertBody(plain: head).appending(ByteBuffer(string: "the fenced rows"))
        _ = try await client.execute("INSERT INTO t FORMAT RowBinary", insert: body)
        let received = server.bodies()
        try #require(received.count == 2)
        #expect(received[0] == Array("SELECT 1".utf8))
        var expected = Array(head.readableBytesView)
        expected += Array("the fenced rows".utf8)
        #expect(received[1].count == expected.count)
        #expect(received[1] == expected)
        #expect(server.connections() == 2)
    }
}

/// The server of ``CurlUploadTests/resendRewindsTheBody()``: loopback, one thread, two connections, every read bounded
/// by a 10 s socket timeout.
private final class ClosingHTTPServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var received: [[UInt8]] = []
    private var accepted = 0

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 4) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        Thread { [self] in run() }.start()
    }

    func bodies() -> [[UInt8]] { lock.withLock { received } }
    func connections() -> Int { lock.withLock { accepted } }
    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    private func run() {
        // First connection: answer one request, then read the next one and hang up without an answer.
        guard let first = accept() else { return }
        if let request = readRequest(first) {
            record(request)
            answer(first)
        }
        _ = readRequest(first)
        close(first)
        // Second connection: the resent request, whole.
        guard let second = accept() else { return }
        if let request = readRequest(second) {
            record(request)
            answer(second)
        }
        close(second)
    }

    private func accept() -> Int32? {
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { return nil }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        lock.withLock { accepted += 1 }
        return fd
    }

    private func record(_ body: [UInt8]) { lock.withLock { received.append(body) } }

    private func answer(_ fd: Int32) {
        let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nOk.".utf8)
        _ = response.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads a request and returns its `Content-Length` body; `nil` when the connection ends first.
    private func readRequest(_ fd: Int32) -> [UInt8]? {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        func fill() -> Bool {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return false }
            data += chunk[0..<n]
            return true
        }
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int? = nil
        while headEnd == nil {
            guard fill() else { return nil }
            if data.count >= 4 {
                headEnd = (0...(data.count - 4)).first { data[$0..<($0 + 4)].elementsEqual(separator) }.map { $0 + 4 }
            }
        }
        guard let start = headEnd else { return nil }
        let head = String(decoding: data[0..<start], as: UTF8.self).lowercased()
        let length =
            head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        while data.count - start < length { guard fill() else { return nil } }
        return Array(data[start..<(start + length)])
    }
}
