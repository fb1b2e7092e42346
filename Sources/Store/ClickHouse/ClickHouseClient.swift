import CompressNIO
import Logging
import NIOCore
import Synchronization

/// Sends SQL to ClickHouse over its HTTP interface (libcurl). One instance per process; safe to share between tasks.
///
/// - Keep-alive: easy handles (each with its own connection cache) are pooled behind a `Mutex` and reused.
/// - Threads: transfers block, so they run on up to ``Configuration/maxConnections`` dedicated threads
///   (``BlockingExecutor``), never on the Swift cooperative pool.
/// - Retries: ``ClickHouseError/isRetriable`` failures are repeated per ``RetryPolicy``, with exponential backoff and jitter.
/// - Credentials travel in `X-ClickHouse-User` / `X-ClickHouse-Key` headers, never in URLs, logs or errors.
package final class ClickHouseClient: Sendable {
    /// The configuration the client was created with.
    package let configuration: Configuration
    /// The servers this client talks to, and which one is used next.
    package let replicas: ReplicaSet
    private let logger: Logger
    private let executor: BlockingExecutor
    private let gate: AdmissionGate?
    private let idleHandles: Mutex<[CurlEasy]>
    private let metrics: ClickHouseMetrics

    /// Creates a client; no connection is made until the first call.
    ///
    /// - Parameters:
    ///   - configuration: Where ClickHouse is and how to talk to it.
    ///   - logger: Used for calls that pass no logger of their own.
    ///   - metrics: Where request counts, failures by error code, retries and latencies are reported.
    /// - Throws: ``ClickHouseError/Kind/configuration`` when the URL is not `http://` or `https://`.
    package init(configuration: Configuration, logger: Logger, metrics: ClickHouseMetrics = .init()) throws(ClickHouseError) {
        var urls: [String] = []
        for part in configuration.url.split(separator: ",", omittingEmptySubsequences: false) {
            var url = String(part)
            while url.hasSuffix("/") { url.removeLast() }
            let scheme = url.hasPrefix("https://") ? "https://" : "http://"
            guard url.hasPrefix(scheme), url.utf8.count > scheme.utf8.count else {
                throw ClickHouseError(kind: .configuration, message: "ClickHouse URL must start with http:// or https://")
            }
            guard !url.contains("?"), !url.contains("#"), !url.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) else {
                throw ClickHouseError(kind: .configuration, message: "ClickHouse URL must be a plain base URL")
            }
            // Credentials in the URL would show up wherever the URL is printed; they belong in `user` / `password`.
            guard !url.contains("@") else {
                throw ClickHouseError(kind: .configuration, message: "ClickHouse URL must not contain credentials; set user and password instead")
            }
            urls.append(url)
        }
        // Header values go into `Name: value` lines; a CR or LF would start a new header.
        let isControl: (UInt8) -> Bool = { $0 < 0x20 || $0 == 0x7F }
        guard !configuration.user.utf8.contains(where: isControl), !configuration.password.utf8.contains(where: isControl) else {
            throw ClickHouseError(kind: .configuration, message: "ClickHouse user and password must not contain control characters")
        }
        self.configuration = configuration
        self.replicas = ReplicaSet(urls: urls, spread: configuration.spreadReads)
        self.logger = logger
        self.executor = BlockingExecutor(maxThreads: configuration.maxConnections, name: "census-clickhouse")
        self.gate = configuration.admissionWait.map { AdmissionGate(permits: configuration.maxConnections, maxWait: $0) }
        self.idleHandles = Mutex([])
        self.metrics = metrics
    }

    /// Runs one statement and returns the response body.
    ///
    /// Without `body`, the SQL is POSTed as the request body (SELECT, DDL). With `body`, the SQL goes in the `query=` URL
    /// parameter and `body` is the data (`INSERT … FORMAT RowBinary`); bodies of at least
    /// ``Configuration/gzipThreshold`` bytes are gzip-compressed (when a sample shows it pays, ``BodyCompression``) once
    /// and reused across retries.
    ///
    /// - Parameters:
    ///   - sql: The statement. Values in it must come from ``SQLLiteral``.
    ///   - body: INSERT data, or `nil`.
    ///   - database: The `database` URL parameter; `nil` uses ``Configuration/database``.
    ///   - settings: Extra URL parameters (ClickHouse settings), e.g. `["max_memory_usage": "1000000"]`; they override
    ///     ``Configuration/settings`` of the same name.
    ///   - retryPolicy: Overrides ``Configuration/retryPolicy`` for this call.
    ///   - logger: Logger for this call; defaults to the client's.
    ///   - replica: Send every attempt to this replica (an index into ``ReplicaSet/urls``) instead of the one
    ///     ``ReplicaSet`` chooses.
    /// - Returns: The response body (in the format the SQL asked for).
    /// - Throws: ``ClickHouseError``; when retries run out, the last failure, with ``ClickHouseError/attempts`` set;
    ///   ``ClickHouseError/Kind/busy`` when ``Configuration/admissionWait`` passed without a free slot.
    package func execute(
        _ sql: String, body: ByteBuffer? = nil, database: String? = nil, settings: [String: String] = [:],
        retryPolicy: RetryPolicy? = nil, logger: Logger? = nil, replica: Int? = nil
    ) async throws(ClickHouseError) -> [UInt8] {
        let insert = try body.map { (data) throws(ClickHouseError) in try insertBody(data) }
        return try await execute(
            sql, insert: insert, database: database, settings: settings, retryPolicy: retryPolicy, logger: logger, replica: replica)
    }

    /// Compresses an INSERT body as ``execute(_:body:database:settings:retryPolicy:logger:replica:)`` would, so a caller
    /// can do it once for several requests (``execute(_:insert:database:settings:retryPolicy:logger:replica:)``).
    package func insertBody(_ data: ByteBuffer) throws(ClickHouseError) -> InsertBody {
        guard let threshold = configuration.gzipThreshold, data.readableBytes >= threshold else { return InsertBody(plain: data) }
        do {
            guard try BodyCompression.isWorthCompressing(data) else { return InsertBody(plain: data) }
            return try InsertBody(gzipping: data)
        } catch {
            throw ClickHouseError(kind: .configuration, message: "gzip compression failed: \(error)")
        }
    }

    /// Runs an INSERT whose body is already prepared (``insertBody(_:)``), or without `insert` a statement, as
    /// ``execute(_:body:database:settings:retryPolicy:logger:replica:)`` does.
    package func execute(
        _ sql: String, insert: InsertBody?, database: String? = nil, settings: [String: String] = [:],
        retryPolicy: RetryPolicy? = nil, logger: Logger? = nil, replica: Int? = nil
    ) async throws(ClickHouseError) -> [UInt8] {
        let logger = logger ?? self.logger
        var parameters: [(String, String)] = []
        if let database = database ?? configuration.database { parameters.append(("database", database)) }
        let allSettings = configuration.settings.merging(settings) { _, call in call }
        for (name, value) in allSettings.sorted(by: { $0.key < $1.key }) { parameters.append((name, value)) }
        var headers = ["X-ClickHouse-User: \(configuration.user)", "Expect:"]
        if !configuration.password.isEmpty { headers.append("X-ClickHouse-Key: \(configuration.password)") }

        let requestBody: [ByteBuffer]
        if let insert {
            metrics.insertBody(bytes: insert.plainBytes)
            parameters.insert(("query", sql), at: 0)
            requestBody = insert.pieces
            if insert.isGzip { headers.append("Content-Encoding: gzip") }
        } else {
            requestBody = [ByteBuffer(string: sql)]
        }
        let request = CurlRequest(
            url: "/?" + Self.queryString(parameters), headers: headers, body: requestBody,
            connectTimeoutMilliseconds: Self.milliseconds(configuration.connectTimeout),
            totalTimeoutMilliseconds: Self.milliseconds(configuration.requestTimeout),
            maxResponseBytes: configuration.maxResponseBytes)
        let policy = retryPolicy ?? configuration.retryPolicy
        let statement: ClickHouseMetrics.Statement = insert == nil ? .query : .insert
        guard let gate else {
            return try await send(request, policy: policy, sql: sql, statement: statement, logger: logger, replica: replica).body
        }
        guard
            let response = try await gate.withPermit({ () async throws(ClickHouseError) in
                try await send(request, policy: policy, sql: sql, statement: statement, logger: logger, replica: replica)
            })
        else {
            metrics.rejected(statement)
            throw ClickHouseError(kind: .busy, message: "\(configuration.maxConnections) requests in progress; none finished within \(gate.maxWait)")
        }
        return response.body
    }

    /// `GET /ping`: succeeds when the server answers `Ok.`. One attempt unless `retryPolicy` says otherwise; `replica`
    /// pings that replica (an index into ``ReplicaSet/urls``) instead of the one ``ReplicaSet`` chooses.
    package func ping(retryPolicy: RetryPolicy = .noRetry, logger: Logger? = nil, replica: Int? = nil) async throws(ClickHouseError) {
        let request = CurlRequest(
            url: "/ping", headers: [], body: nil,
            connectTimeoutMilliseconds: Self.milliseconds(configuration.connectTimeout),
            totalTimeoutMilliseconds: Self.milliseconds(configuration.requestTimeout), maxResponseBytes: 1024)
        let response = try await send(request, policy: retryPolicy, sql: "/ping", statement: .ping, logger: logger ?? self.logger, replica: replica)
        guard response.body.starts(with: Array("Ok.".utf8)) else {
            throw ClickHouseError(
                kind: .server, message: "unexpected /ping answer: \(ClickHouseError.serverMessage(response.body))",
                httpStatus: response.status)
        }
    }

    // MARK: - Attempts

    /// Sends `request` (whose `url` is the path and query) to the replica ``ReplicaSet`` chooses for each attempt, or
    /// to `replica` when given.
    private func send(
        _ request: CurlRequest, policy: RetryPolicy, sql: String, statement: ClickHouseMetrics.Statement,
        logger: Logger, replica: Int? = nil
    ) async throws(ClickHouseError) -> CurlResponse {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = policy.deadline.map { start + $0 }
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        var failovers = 0
        while true {
            attempt += 1
            var attemptRequest = request
            let target = replica ?? replicas.choose()
            attemptRequest.url = replicas.urls[target] + request.url
            if let deadline {
                let remaining = Self.milliseconds(deadline - clock.now)
                attemptRequest.totalTimeoutMilliseconds = max(1, min(attemptRequest.totalTimeoutMilliseconds, remaining))
            }
            let attemptStart = clock.now
            var result = await perform(attemptRequest)
            if case .success(let response) = result, !(200..<300).contains(response.status) {
                result = .failure(.server(status: response.status, exceptionCodeHeader: response.exceptionCode, body: response.body))
            }
            switch result {
            case .success(let response):
                if replica == nil { replicas.record(target, failed: false) }
                metrics.succeeded(statement, duration: clock.now - attemptStart)
                logger.debug(
                    "ClickHouse request succeeded",
                    metadata: [
                        "clickhouse.attempt": "\(attempt)", "clickhouse.duration": "\(clock.now - attemptStart)",
                        "clickhouse.response_bytes": "\(response.body.count)", "clickhouse.sql": "\(Self.logPrefix(sql))",
                    ])
                return response
            case .failure(var error):
                error.attempts = attempt
                if replica == nil, error.shouldTryAnotherReplica {
                    replicas.record(target, failed: true)
                    // Nothing reached a server that could have run it: the next replica gets the same attempt at once.
                    if !error.mayHaveBeenApplied, failovers < replicas.urls.count - 1, !Task.isCancelled {
                        failovers += 1
                        attempt -= 1
                        logger.warning(
                            "ClickHouse replica failed; trying the next one",
                            metadata: [
                                "clickhouse.replica": "\(replicas.urls[target])", "clickhouse.error": "\(error)",
                            ])
                        continue
                    }
                }
                let backoff = policy.backoff(afterAttempt: attempt, using: &generator)
                let outOfTime = deadline.map { clock.now + backoff >= $0 } ?? false
                let willRetry = error.isRetriable && attempt < policy.maxAttempts && !outOfTime && !Task.isCancelled
                metrics.failed(statement, error: error, willRetry: willRetry)
                guard willRetry else {
                    logger.debug(
                        "ClickHouse request failed",
                        metadata: [
                            "clickhouse.attempt": "\(attempt)", "clickhouse.error": "\(error)", "clickhouse.sql": "\(Self.logPrefix(sql))",
                        ])
                    throw error
                }
                logger.warning(
                    "ClickHouse request failed, retrying",
                    metadata: [
                        "clickhouse.attempt": "\(attempt)", "clickhouse.backoff": "\(backoff)", "clickhouse.error": "\(error)",
                    ])
                do {
                    try await Task.sleep(for: backoff)
                } catch {
                    var cancelled = ClickHouseError(kind: .cancelled, message: "cancelled while waiting to retry")
                    cancelled.attempts = attempt
                    throw cancelled
                }
            }
        }
    }

    /// One attempt on a pooled handle, on an executor thread; cancelling the task aborts the transfer.
    private func perform(_ request: CurlRequest) async -> Result<CurlResponse, ClickHouseError> {
        let cancellation = CurlCancellation()
        return await withTaskCancellationHandler {
            await executor.run { [self] in
                let pooled = self.idleHandles.withLock { $0.popLast() }
                let handle: CurlEasy
                if let pooled {
                    handle = pooled
                } else {
                    do throws(ClickHouseError) {
                        handle = try CurlEasy()
                    } catch {
                        return .failure(error)
                    }
                }
                let result = handle.perform(request, cancellation: cancellation)
                self.idleHandles.withLock { handles in
                    if handles.count < self.configuration.maxConnections { handles.append(handle) }
                }
                return result
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    // MARK: - Helpers

    private static func milliseconds(_ duration: Duration) -> Int {
        let components = duration.components
        guard components.seconds >= 0 else { return 0 }
        let seconds = min(components.seconds, Int64(Int32.max))
        return Int(seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000)
    }

    /// The first 200 characters of a statement, for debug logs (statements can carry long `IN (…)` lists).
    private static func logPrefix(_ sql: String) -> Substring {
        sql.prefix(200)
    }

    /// `name=value&…` with RFC 3986 percent-encoding of everything but unreserved characters.
    static func queryString(_ parameters: [(String, String)]) -> String {
        parameters.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    }

    static func percentEncode(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(byte)
            default:
                output.append(UInt8(ascii: "%"))
                Hex.append(byte, to: &output, uppercase: true)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
