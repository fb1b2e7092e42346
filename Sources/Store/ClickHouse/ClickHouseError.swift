/// A failed ClickHouse request: a transport failure, a server exception, or a cancelled call.
///
/// Server errors carry the exception code parsed from the `X-ClickHouse-Exception-Code` header (26.x) or from the body's
/// `Code: NN` prefix (18.16 sends no header), and the server's message. The password never appears in any field.
package struct ClickHouseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the request failed.
    package enum Kind: Sendable, Hashable {
        /// libcurl could not complete the HTTP exchange (connect, timeout, send/receive, empty reply, …).
        case transport
        /// The server answered with a non-2xx status.
        case server
        /// The calling task was cancelled (the transfer was aborted).
        case cancelled
        /// The client was misconfigured (bad URL, libcurl could not allocate a handle).
        case configuration
        /// The response exceeded ``ClickHouseClient/Configuration/maxResponseBytes``.
        case responseTooLarge
        /// The client's concurrency limit was reached and no slot freed within
        /// ``ClickHouseClient/Configuration/admissionWait``; nothing was sent.
        case busy
    }

    /// A ClickHouse exception code (`ErrorCodes.cpp`).
    package struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        package let rawValue: Int
        package init(rawValue: Int) { self.rawValue = rawValue }
        package init(_ rawValue: Int) { self.rawValue = rawValue }
        package var description: String { String(rawValue) }

        package static let notFoundColumnInBlock = Code(10)
        package static let duplicateColumn = Code(15)
        package static let illegalColumn = Code(44)
        package static let unknownFunction = Code(46)
        package static let unknownIdentifier = Code(47)
        package static let tableAlreadyExists = Code(57)
        package static let unknownTable = Code(60)
        package static let syntaxError = Code(62)
        package static let unknownDatabase = Code(81)
        package static let databaseAlreadyExists = Code(82)
        package static let timeoutExceeded = Code(159)
        package static let readonly = Code(164)
        package static let tooManySimultaneousQueries = Code(202)
        package static let queryWithSameIDIsAlreadyRunning = Code(216)
        package static let noFreeConnection = Code(203)
        package static let socketTimeout = Code(209)
        package static let networkError = Code(210)
        package static let memoryLimitExceeded = Code(241)
        package static let tableIsReadOnly = Code(242)
        package static let tooManyParts = Code(252)
        package static let tooFewLiveReplicas = Code(285)
        package static let unsatisfiedQuorumForPreviousWrite = Code(286)
        package static let replicaIsNotInQuorum = Code(289)
        package static let unknownStatusOfInsert = Code(319)
        package static let throwIfValueNonZero = Code(395)
        package static let systemError = Code(425)
        package static let keeperException = Code(999)

        /// Codes that describe a transient server condition; the same request may succeed later.
        ///
        /// `READONLY` (164) is deliberately absent: it means the user lacks write permission, which retrying cannot fix.
        package static let retryable: Set<Code> = [
            .timeoutExceeded, .tooManySimultaneousQueries, .noFreeConnection, .socketTimeout, .networkError, .memoryLimitExceeded,
            .tableIsReadOnly, .tooManyParts, .tooFewLiveReplicas, .unsatisfiedQuorumForPreviousWrite, .replicaIsNotInQuorum,
            .unknownStatusOfInsert, .systemError, .keeperException,
        ]

        /// Codes that say this replica cannot serve the call now (read-only without ZooKeeper, behind the quorum, a
        /// network failure inside it) although another replica of the cluster may: the client moves to the next replica.
        package static let replicaUnusable: Set<Code> = [.socketTimeout, .networkError, .tableIsReadOnly, .replicaIsNotInQuorum, .keeperException]
    }

    /// libcurl result codes (`CURLcode`) that mean the exchange failed in transit and may succeed when repeated.
    package static let retryableCurlCodes: Set<Int32> = [
        5,  // CURLE_COULDNT_RESOLVE_PROXY
        6,  // CURLE_COULDNT_RESOLVE_HOST
        7,  // CURLE_COULDNT_CONNECT
        16,  // CURLE_HTTP2
        18,  // CURLE_PARTIAL_FILE
        28,  // CURLE_OPERATION_TIMEDOUT
        52,  // CURLE_GOT_NOTHING
        55,  // CURLE_SEND_ERROR
        56,  // CURLE_RECV_ERROR
        92,  // CURLE_HTTP2_STREAM
    ]

    /// Where the request failed.
    package var kind: Kind
    /// The server's exception code, when the server sent one.
    package var serverCode: Code?
    /// The HTTP status; `nil` when no response arrived.
    package var httpStatus: Int?
    /// The libcurl result code of a transport failure.
    package var curlCode: Int32?
    /// The server's message (trimmed, at most 4 KiB) or libcurl's error text.
    package var message: String
    /// How many attempts were made before giving up (1 when the first attempt failed for good).
    package var attempts: Int = 1

    package init(kind: Kind, message: String, serverCode: Code? = nil, httpStatus: Int? = nil, curlCode: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.serverCode = serverCode
        self.httpStatus = httpStatus
        self.curlCode = curlCode
    }

    /// Whether repeating the same request may succeed: transient transport failures, the retryable server codes in
    /// ``Code/retryable``, and HTTP 502/503/504 without an exception code (a proxy or a restarting server).
    package var isRetriable: Bool {
        switch kind {
        case .transport:
            guard let curlCode else { return false }
            return Self.retryableCurlCodes.contains(curlCode)
        case .server:
            if let serverCode { return Code.retryable.contains(serverCode) }
            guard let httpStatus else { return false }
            return httpStatus == 502 || httpStatus == 503 || httpStatus == 504
        case .cancelled, .configuration, .responseTooLarge, .busy:
            return false
        }
    }

    /// Whether another replica may serve the call that failed here: transport failures and ``Code/replicaUnusable``
    /// codes (see ``ReplicaSet``).
    package var shouldTryAnotherReplica: Bool {
        switch kind {
        case .transport: return isRetriable
        case .server: return serverCode.map { Code.replicaUnusable.contains($0) } ?? isRetriable
        case .cancelled, .configuration, .responseTooLarge, .busy: return false
        }
    }

    /// Whether the server may have executed the statement although the call failed: the request may have been sent in
    /// full before the exchange broke (timeout, receive error, empty reply), or the server itself does not know
    /// (`UNKNOWN_STATUS_OF_INSERT`, socket/network errors). `false` when nothing reached the server (connect/resolve
    /// failures) or the server reported a definite failure. Callers that need exactly-once check before re-sending.
    package var mayHaveBeenApplied: Bool {
        switch kind {
        case .transport:
            guard let curlCode else { return true }
            return ![5, 6, 7].contains(curlCode)  // proxy/host resolution or connect failed: nothing was sent
        case .server:
            guard let serverCode else { return httpStatus == 502 || httpStatus == 504 }
            return serverCode == .unknownStatusOfInsert || serverCode == .socketTimeout || serverCode == .networkError
        case .cancelled, .responseTooLarge:
            return true
        case .configuration, .busy:
            return false
        }
    }

    package var description: String {
        var text = "ClickHouseError.\(kind)"
        if let httpStatus { text += " HTTP \(httpStatus)" }
        if let serverCode { text += " code \(serverCode.rawValue)" }
        if let curlCode { text += " curl \(curlCode)" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        return text + ": " + message
    }
}

extension ClickHouseError {
    /// Longest server message kept in ``message``.
    static let maxMessageBytes = 4096

    /// Builds the error for a non-2xx response.
    ///
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - exceptionCodeHeader: The `X-ClickHouse-Exception-Code` header value, if any (26.x).
    ///   - body: The response body, which starts with `Code: NN, e.displayText() = DB::Exception: …` (18.16) or
    ///     `Code: NN. DB::Exception: …` (newer).
    static func server(status: Int, exceptionCodeHeader: String?, body: [UInt8]) -> ClickHouseError {
        let message = serverMessage(body)
        var code: Code?
        if let header = exceptionCodeHeader?.trimmingASCIIWhitespace(), let value = Int(header) {
            code = Code(value)
        } else {
            code = parseCode(message)
        }
        return ClickHouseError(kind: .server, message: message, serverCode: code, httpStatus: status)
    }

    /// The body as text, trimmed and capped at ``maxMessageBytes`` (invalid UTF-8 is repaired).
    static func serverMessage(_ body: [UInt8]) -> String {
        let capped = body.count > maxMessageBytes ? Array(body.prefix(maxMessageBytes)) : body
        return String(decoding: capped, as: UTF8.self).trimmingASCIIWhitespace()
    }

    /// The `NN` of the first `Code: NN` in a server message, in either the 18.16 (`Code: 60, e.displayText() = …`) or the
    /// newer (`Code: 60. DB::Exception: …`) form.
    static func parseCode(_ message: String) -> Code? {
        let bytes = Array(message.utf8)
        let marker = Array("Code: ".utf8)
        guard bytes.count > marker.count else { return nil }
        var start = 0
        while start + marker.count <= bytes.count {
            if bytes[start..<(start + marker.count)].elementsEqual(marker) {
                var index = start + marker.count
                var value = 0
                var digits = 0
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9"), digits < 9 {
                    value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                    index += 1
                    digits += 1
                }
                if digits > 0 { return Code(value) }
            }
            start += 1
        }
        return nil
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces, tabs, CR and LF.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
