import CompressNIO
import NIOCore

/// An INSERT body as it goes on the wire: plain, or gzip (``BodyCompression``), made by
/// ``ClickHouseClient/insertBody(_:)``.
///
/// A body can be prepared once and extended per request (``appending(_:)``): a gzip body gets the extension as a gzip
/// member of its own, and ClickHouse (18.16 and 26.x) reads concatenated members as one stream. So the costly part of a
/// body — encoding and compressing megabytes of rows — is done once, and each request adds only its few own rows.
package struct InsertBody: Sendable {
    /// The bytes sent, in order: the body as prepared, then whatever each request appended — kept apart so that a
    /// request never copies the prepared part (megabytes, held while the INSERT is in flight).
    package private(set) var pieces: [ByteBuffer]
    /// Whether the body is gzip (sent with `Content-Encoding: gzip`).
    package let isGzip: Bool
    /// The size of the body before compression.
    package private(set) var plainBytes: Int

    /// A body sent as it is.
    package init(plain: ByteBuffer) {
        self.pieces = [plain]
        self.isGzip = false
        self.plainBytes = plain.readableBytes
    }

    /// A body sent gzip-compressed (``BodyCompression/algorithm``).
    package init(gzipping plain: ByteBuffer) throws {
        var data = plain
        self.pieces = [try data.compress(with: BodyCompression.algorithm)]
        self.isGzip = true
        self.plainBytes = plain.readableBytes
    }

    /// This body followed by `tail` (compressed as a member of its own when this body is gzip). The prepared bytes are
    /// shared, not copied.
    package func appending(_ tail: ByteBuffer) throws -> InsertBody {
        var result = self
        if isGzip {
            var data = tail
            result.pieces.append(try data.compress(with: BodyCompression.algorithm))
        } else {
            result.pieces.append(tail)
        }
        result.plainBytes += tail.readableBytes
        return result
    }
}
