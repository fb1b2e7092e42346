import Foundation
import Logging
import Store
import Synchronization

/// A swift-log handler that writes one JSON object per line to stderr (`--log-format json`).
///
/// Fields: `ts` (RFC 3339 UTC with milliseconds), `level`, `logger`, `msg`, then every metadata key at the top
/// level (`kafka.topic`, `kafka.partition`, `kafka.offset`, `error`, …); nested metadata becomes nested JSON.
struct JSONLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    private let label: String
    /// One writer for the whole process, so lines from different threads never interleave.
    private static let output = Mutex<Void>(())

    init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var line =
            "{\"ts\":" + Self.quoted(Self.timestamp()) + ",\"level\":" + Self.quoted(event.level.rawValue)
            + ",\"logger\":" + Self.quoted(label) + ",\"msg\":" + Self.quoted(event.message.description)
        for key in merged.keys.sorted() where !["ts", "level", "logger", "msg"].contains(key) {
            line += "," + Self.quoted(key) + ":" + Self.json(merged[key]!)
        }
        line += "}\n"
        Self.output.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    private static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .stringConvertible(let convertible): quoted(convertible.description)
        case .array(let items): "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let items): "{" + items.keys.sorted().map { quoted($0) + ":" + json(items[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (``JSONString``, the one escaper).
    static func quoted(_ text: String) -> String { JSONString.quoted(text) }

    private static func timestamp() -> String {
        Date().formatted(
            .iso8601.year().month().day().timeZone(separator: .omitted).time(includingFractionalSeconds: true).timeSeparator(.colon).dateSeparator(
                .dash
            ).dateTimeSeparator(.standard))
    }
}
