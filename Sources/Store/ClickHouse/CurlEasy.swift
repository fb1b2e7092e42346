import CCurl
import NIOCore
import Synchronization

/// One HTTP request for ``CurlEasy/perform(_:cancellation:)``.
struct CurlRequest: Sendable {
    /// Full URL including the query string.
    var url: String
    /// `Name: value` header lines.
    var headers: [String]
    /// The POST body, as pieces sent one after another (an INSERT prepared once plus each attempt's own rows, without
    /// copying them into one buffer); `nil` sends a GET.
    var body: [ByteBuffer]?
    var connectTimeoutMilliseconds: Int
    var totalTimeoutMilliseconds: Int
    /// The transfer is aborted when the response body grows beyond this.
    var maxResponseBytes: Int
}

/// What came back for a ``CurlRequest`` that reached the server.
struct CurlResponse: Sendable {
    var status: Int
    /// The `X-ClickHouse-Exception-Code` header, if present.
    var exceptionCode: String?
    var body: [UInt8]
}

/// Set from another thread to abort a running transfer (checked by libcurl's progress callback, at least once a second).
final class CurlCancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    init() {}
    func cancel() { flag.store(true, ordering: .relaxed) }
    var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// Owns one libcurl easy handle (`CURL *`) and frees it in `deinit`.
///
/// A handle keeps its connections alive between transfers, so reusing it reuses TCP connections.
///
/// - Note: `@unchecked Sendable` because libcurl forbids using one handle from two threads at once: the client's pool
///   hands a handle to exactly one transfer at a time (taken out of the pool under its `Mutex`, put back after), so the
///   handle is only ever touched by one thread, and never concurrently.
final class CurlEasy: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    /// `curl_global_init` once per process (thread-safe in libcurl ≥ 7.84, which reports `CURL_VERSION_THREADSAFE`).
    private static let globalInit: Int32 = {
        Int32(bitPattern: curl_global_init(3).rawValue)  // CURL_GLOBAL_ALL (SSL | WIN32)
    }()

    /// Creates a handle; fails only when libcurl cannot allocate one.
    init() throws(ClickHouseError) {
        guard Self.globalInit == 0, let handle = curl_easy_init() else {
            throw ClickHouseError(kind: .configuration, message: "libcurl could not create an easy handle")
        }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    /// Runs one transfer to completion, blocking the calling thread.
    ///
    /// - Important: Blocks; call it only from a dedicated thread, never from the Swift cooperative pool.
    func perform(_ request: CurlRequest, cancellation: CurlCancellation) -> Result<CurlResponse, ClickHouseError> {
        if cancellation.isCancelled {
            return .failure(ClickHouseError(kind: .cancelled, message: "cancelled before the transfer started"))
        }
        // Reset options but keep the connection cache (curl_easy_reset does not close connections).
        curl_easy_reset(handle)
        let context = CurlTransferContext(maxBytes: request.maxResponseBytes, cancellation: cancellation)
        let headers = CurlHeaderList(request.headers)
        let contextPointer = Unmanaged.passUnretained(context).toOpaque()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
            census_curl_setopt_str(handle, CURLOPT_URL, request.url)
            census_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            census_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
            census_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, request.connectTimeoutMilliseconds))
            census_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, request.totalTimeoutMilliseconds))
            census_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress)
            census_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers.pointer)
            census_curl_setopt_writefunction(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback)
            census_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, contextPointer)
            census_curl_setopt_writefunction(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
            census_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, contextPointer)
            census_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
            census_curl_setopt_xferinfofunction(handle, curlProgressCallback)
            census_curl_setopt_ptr(handle, CURLOPT_XFERINFODATA, contextPointer)

            guard let body = request.body else {
                census_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
                return curl_easy_perform(handle)
            }
            // libcurl pulls the body through the read callback, and rewinds it through the seek callback when it sends
            // the request again on a fresh connection (a kept-alive one the server had closed).
            let upload = CurlUpload(body)
            let uploadPointer = Unmanaged.passUnretained(upload).toOpaque()
            return withExtendedLifetime(upload) {
                census_curl_setopt_long(handle, CURLOPT_POST, 1)
                census_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(upload.count))
                census_curl_setopt_readfunction(handle, curlReadCallback)
                census_curl_setopt_ptr(handle, CURLOPT_READDATA, uploadPointer)
                census_curl_setopt_seekfunction(handle, curlSeekCallback)
                census_curl_setopt_ptr(handle, CURLOPT_SEEKDATA, uploadPointer)
                return curl_easy_perform(handle)
            }
        }
        var status = 0
        census_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        // Drop every pointer into this frame before `context`, `headers` and `errorBuffer` go away.
        curl_easy_reset(handle)
        let detail = errorBuffer.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { String(cString: $0) } ?? ""
        }

        return withExtendedLifetime((context, headers)) {
            guard code == CURLE_OK else {
                if cancellation.isCancelled {
                    return .failure(ClickHouseError(kind: .cancelled, message: "transfer cancelled"))
                }
                if context.overflowed {
                    return .failure(ClickHouseError(kind: .responseTooLarge, message: "response larger than \(request.maxResponseBytes) bytes"))
                }
                let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
                return .failure(ClickHouseError(kind: .transport, message: text, curlCode: Int32(bitPattern: code.rawValue)))
            }
            return .success(CurlResponse(status: status, exceptionCode: context.exceptionCode, body: context.body))
        }
    }
}

/// Per-transfer state reached from libcurl's C callbacks through an unretained pointer.
///
/// Only the transferring thread touches it, and only while ``CurlEasy/perform(_:cancellation:)`` keeps it alive.
private final class CurlTransferContext {
    var body: [UInt8] = []
    var exceptionCode: String?
    var overflowed = false
    let maxBytes: Int
    let cancellation: CurlCancellation

    init(maxBytes: Int, cancellation: CurlCancellation) {
        self.maxBytes = maxBytes
        self.cancellation = cancellation
    }

    func appendHeaderLine(_ line: UnsafeRawBufferPointer) {
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            // A new response head (after `100 Continue` or a redirect) starts: forget the previous one's headers.
            exceptionCode = nil
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = text[..<colon].lowercased()
        if name == "x-clickhouse-exception-code" {
            exceptionCode = String(text[text.index(after: colon)...]).trimmingASCIIWhitespace()
        }
    }
}

/// A POST body being sent: its pieces and how far libcurl has read. Only the transferring thread touches it, while
/// ``CurlEasy/perform(_:cancellation:)`` keeps it alive.
final class CurlUpload {
    private let pieces: [ByteBuffer]
    /// Total bytes of the body.
    let count: Int
    /// Bytes handed to libcurl so far.
    private(set) var position = 0

    init(_ pieces: [ByteBuffer]) {
        self.pieces = pieces
        self.count = pieces.reduce(0) { $0 + $1.readableBytes }
    }

    /// Copies the next bytes of the body into `destination`, as many as fit; 0 at the end.
    func read(into destination: UnsafeMutableRawBufferPointer) -> Int {
        var written = 0
        var start = 0  // where the current piece begins in the body
        for piece in pieces {
            let length = piece.readableBytes
            defer { start += length }
            guard position < start + length else { continue }
            let from = position - start
            let n = min(length - from, destination.count - written)
            guard n > 0 else { break }
            piece.withUnsafeReadableBytes { bytes in
                (destination.baseAddress! + written).copyMemory(from: bytes.baseAddress! + from, byteCount: n)
            }
            written += n
            position += n
        }
        return written
    }

    /// Moves the read position to `offset` from the start; `false` when it is outside the body.
    func seek(to offset: Int) -> Bool {
        guard offset >= 0, offset <= count else { return false }
        position = offset
        return true
    }
}

private let curlReadCallback: curl_read_callback = { buffer, size, count, userdata in
    guard let userdata, let buffer else { return 0 }
    let upload = Unmanaged<CurlUpload>.fromOpaque(userdata).takeUnretainedValue()
    return upload.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
}

private let curlSeekCallback: curl_seek_callback = { userdata, offset, origin in
    // libcurl rewinds with SEEK_SET only; CURL_SEEKFUNC_OK = 0, FAIL = 1, CANTSEEK = 2.
    guard let userdata, origin == SEEK_SET else { return 2 }
    let upload = Unmanaged<CurlUpload>.fromOpaque(userdata).takeUnretainedValue()
    return upload.seek(to: Int(offset)) ? 0 : 1
}

private let curlWriteCallback: curl_write_callback = { data, size, count, userdata in
    guard let userdata else { return 0 }
    let context = Unmanaged<CurlTransferContext>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    guard length > 0, let data else { return length }
    guard context.body.count + length <= context.maxBytes else {
        context.overflowed = true
        return 0  // aborts the transfer with CURLE_WRITE_ERROR
    }
    context.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    return length
}

private let curlHeaderCallback: curl_write_callback = { data, size, count, userdata in
    guard let userdata else { return 0 }
    let context = Unmanaged<CurlTransferContext>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    if length > 0, let data {
        context.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
    }
    return length
}

private let curlProgressCallback: curl_xferinfo_callback = { userdata, _, _, _, _ in
    guard let userdata else { return 0 }
    let context = Unmanaged<CurlTransferContext>.fromOpaque(userdata).takeUnretainedValue()
    return context.cancellation.isCancelled ? 1 : 0
}
