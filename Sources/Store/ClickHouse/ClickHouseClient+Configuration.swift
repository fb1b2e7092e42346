extension ClickHouseClient {
    /// How to reach ClickHouse and how hard to try.
    ///
    /// `description` never shows the password.
    package struct Configuration: Sendable, CustomStringConvertible {
        /// Base URL of the HTTP interface, e.g. `http://127.0.0.1:8123` (a trailing `/` is ignored). `http` or `https`.
        /// Several URLs separated by commas are replicas of one shard (see ``ReplicaSet``).
        package var url: String
        /// Sent as `X-ClickHouse-User`. Default `default`.
        package var user: String
        /// Sent as `X-ClickHouse-Key`; never logged or printed. Default empty.
        package var password: String
        /// Sent as the `database` URL parameter when a call names no database; `nil` (the default) sends none.
        package var database: String?
        /// Time allowed to establish a TCP connection. Default 5 s.
        package var connectTimeout: Duration
        /// Time allowed for one whole attempt (connect, send, wait, receive). Default 60 s.
        package var requestTimeout: Duration
        /// Most concurrent requests, which is also the number of transfer threads and pooled handles. Default 4.
        package var maxConnections: Int
        /// Request bodies of at least this many bytes are sent gzip-compressed (`Content-Encoding: gzip`) when a sample
        /// shows that compression pays (``BodyCompression``: random value hashes do not); `nil` never compresses.
        /// Default 64 KiB.
        package var gzipThreshold: Int?
        /// A response body beyond this many bytes aborts the call. Default 256 MiB.
        package var maxResponseBytes: Int
        /// Retries for calls that pass no policy of their own. Default ``RetryPolicy/default``.
        package var retryPolicy: RetryPolicy
        /// ClickHouse settings sent with every statement (URL parameters, e.g. `max_execution_time`); a call's own
        /// `settings` override them by name. Default none.
        package var settings: [String: String]
        /// When set, at most ``maxConnections`` calls are in progress at once (retries included) and a call waits at
        /// most this long for its turn, then fails with ``ClickHouseError/Kind/busy`` without sending anything.
        /// `nil` (the default) queues calls without bound.
        package var admissionWait: Duration?
        /// With several URLs: rotate calls over the healthy replicas (API reads) instead of staying on one until it fails
        /// (writers). Default `false`.
        package var spreadReads: Bool

        package init(
            url: String, user: String = "default", password: String = "", database: String? = nil,
            connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(60), maxConnections: Int = 4,
            gzipThreshold: Int? = BodyCompression.minimumBodyBytes, maxResponseBytes: Int = 256 * 1024 * 1024, retryPolicy: RetryPolicy = .default,
            settings: [String: String] = [:], admissionWait: Duration? = nil, spreadReads: Bool = false
        ) {
            self.url = url
            self.user = user
            self.password = password
            self.database = database
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxConnections = maxConnections
            self.gzipThreshold = gzipThreshold
            self.maxResponseBytes = maxResponseBytes
            self.retryPolicy = retryPolicy
            self.settings = settings
            self.admissionWait = admissionWait
            self.spreadReads = spreadReads
        }

        package var description: String {
            "ClickHouseClient.Configuration(url: \(url), user: \(user), password: \(password.isEmpty ? "<none>" : "<redacted>"), "
                + "database: \(database ?? "<none>"), connectTimeout: \(connectTimeout), requestTimeout: \(requestTimeout), "
                + "maxConnections: \(maxConnections), gzipThreshold: \(gzipThreshold.map(String.init) ?? "off"), "
                + "settings: \(settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }), admissionWait: \(admissionWait.map { "\($0)" } ?? "unbounded queue"))"
        }
    }

    /// When and how often a failed call is repeated.
    ///
    /// Only ``ClickHouseError/isRetriable`` failures are repeated. The wait before attempt *n + 1* is
    /// `min(maxBackoff, initialBackoff × 2ⁿ⁻¹)`, scaled by a random factor in 0.5…1 ("equal jitter").
    package struct RetryPolicy: Sendable, Hashable {
        /// Most attempts, the first included (at least 1). `Int.max` retries until the deadline.
        package var maxAttempts: Int
        /// The wait before the second attempt.
        package var initialBackoff: Duration
        /// The longest wait between attempts.
        package var maxBackoff: Duration
        /// Time from the start of the call after which no new attempt starts, and which also caps each attempt's
        /// timeout; `nil` means no overall deadline.
        package var deadline: Duration?

        package init(maxAttempts: Int, initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5), deadline: Duration? = nil) {
            self.maxAttempts = max(1, maxAttempts)
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.deadline = deadline
        }

        /// 5 attempts, 100 ms … 5 s, 2 minutes overall.
        package static let `default` = RetryPolicy(
            maxAttempts: 5, initialBackoff: .milliseconds(100), maxBackoff: .seconds(5), deadline: .seconds(120))
        /// One attempt, no retries. (Not named `none`, which would read as `Optional.none` where a policy is optional.)
        package static let noRetry = RetryPolicy(maxAttempts: 1)

        /// The wait after failed attempt number `attempt` (1-based), with jitter drawn from `generator`.
        package func backoff(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
            let exponent = min(max(attempt - 1, 0), 30)
            var base = initialBackoff * (1 << exponent)
            if base > maxBackoff || base < initialBackoff { base = maxBackoff }
            return base * Double.random(in: 0.5...1.0, using: &generator)
        }
    }
}
