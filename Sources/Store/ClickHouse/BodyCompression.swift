import CompressNIO
import NIOCore

/// Whether INSERT bodies are compressed on their way to ClickHouse (`--clickhouse-compression`).
package enum InsertCompression: String, Sendable, Hashable, CaseIterable {
    /// Bodies are sent as they are: on a LAN sending the bytes costs less than compressing them (gzip deflated a
    /// high-cardinality body at ~65 MB/s on one core here, to save a quarter of it, and ClickHouse must inflate it again).
    case none
    /// Bodies of 64 KiB and more are gzip-compressed at level 1 when a sample shows that compression pays
    /// (``BodyCompression``): for a slow or metered link to ClickHouse.
    case gzip

    /// ``ClickHouseClient/Configuration/gzipThreshold`` for this choice.
    package var gzipThreshold: Int? {
        switch self {
        case .none: nil
        case .gzip: BodyCompression.minimumBodyBytes
        }
    }
}

/// How INSERT bodies are gzip-compressed: fast (level 1), and only when a sample shows that compression pays.
///
/// Most of a census body is text-like RowBinary that gzip shrinks several-fold, but a window of a high-cardinality
/// key is mostly 64-bit value hashes, which are random: compressing them costs CPU on both sides (about 30 MB/s per
/// core for zlib here) and saves nothing. Up to four 16 KiB slices spread over the body are compressed first; the
/// whole body is compressed only when they shrink by at least ``minimumSaving``.
enum BodyCompression {
    /// The smallest body worth trying to compress (``InsertCompression/gzip``).
    static let minimumBodyBytes = 64 * 1024
    /// Bytes per sampled slice.
    static let sliceBytes = 16 * 1024
    /// Slices sampled, evenly spread over the body.
    static let slices = 4
    /// The least relative saving (0…1) on the samples that makes compressing the body worthwhile.
    static let minimumSaving = 0.2

    /// gzip at the fastest level: most of the ratio of the default level at a fraction of the CPU.
    static let algorithm: CompressionAlgorithm = .gzip(configuration: .init(compressionLevel: 1))

    /// Whether gzip shrinks `body` by at least ``minimumSaving``, judged from samples.
    static func isWorthCompressing(_ body: ByteBuffer) throws -> Bool {
        let total = body.readableBytes
        guard total > sliceBytes * slices else { return try saving(body) >= minimumSaving }
        var original = 0
        var compressed = 0
        let step = (total - sliceBytes) / (slices - 1)
        for index in 0..<slices {
            guard var slice = body.getSlice(at: body.readerIndex + index * step, length: sliceBytes) else { continue }
            original += slice.readableBytes
            compressed += try slice.compress(with: algorithm).readableBytes
        }
        return original > 0 && 1 - Double(compressed) / Double(original) >= minimumSaving
    }

    /// The relative size reduction of `body` under ``algorithm``.
    private static func saving(_ body: ByteBuffer) throws -> Double {
        var copy = body
        guard copy.readableBytes > 0 else { return 0 }
        let compressed = try copy.compress(with: algorithm).readableBytes
        return 1 - Double(compressed) / Double(body.readableBytes)
    }
}
