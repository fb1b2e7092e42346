import ArgumentParser

/// Retention of old days (`run` and `consume`; see ``RetentionService``).
struct RetentionOptions: ParsableArguments {
    @Option(name: .customLong(Options.retentionDays.flag), help: Options.retentionDays.help)
    var days: String?

    @Option(name: .customLong(Options.retentionInterval.flag), help: Options.retentionInterval.help)
    var interval: String?
}
