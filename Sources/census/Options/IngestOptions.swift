import ArgumentParser

/// How the consumer batches: flush triggers and the OTLP encoding.
struct IngestOptions: ParsableArguments {
    @Option(name: .customLong(Options.encoding.flag), help: Options.encoding.help)
    var encoding: String?

    @Option(name: .customLong(Options.flushRows.flag), help: Options.flushRows.help)
    var flushRows: String?

    @Option(name: .customLong(Options.flushBytes.flag), help: Options.flushBytes.help)
    var flushBytes: String?

    @Option(name: .customLong(Options.flushInterval.flag), help: Options.flushInterval.help)
    var flushInterval: String?

    @Option(name: .customLong(Options.firstFlushInterval.flag), help: Options.firstFlushInterval.help)
    var firstFlushInterval: String?

    @Option(name: .customLong(Options.drainTimeout.flag), help: Options.drainTimeout.help)
    var drainTimeout: String?

    @Option(name: .customLong(Options.maxRecordBytes.flag), help: Options.maxRecordBytes.help)
    var maxRecordBytes: String?

    @Option(name: .customLong(Options.maxRecordRows.flag), help: Options.maxRecordRows.help)
    var maxRecordRows: String?

    @Option(name: .customLong(Options.analyzerThreads.flag), help: Options.analyzerThreads.help)
    var analyzerThreads: String?

    @Option(name: .customLong(Options.onOffsetRegression.flag), help: Options.onOffsetRegression.help)
    var onOffsetRegression: String?

    @Option(name: .customLong(Options.deadLetterTopic.flag), help: Options.deadLetterTopic.help)
    var deadLetterTopic: String?

    @Option(name: .customLong(Options.watchMaxValues.flag), help: Options.watchMaxValues.help)
    var watchMaxValues: String?

    @Option(name: .customLong(Options.watchRefreshInterval.flag), help: Options.watchRefreshInterval.help)
    var watchRefreshInterval: String?
}
