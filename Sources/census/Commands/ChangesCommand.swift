import API
import ArgumentParser
import Foundation
import Store

/// `census changes`: the changes feed (`GET /api/v2/changes`) read straight from the store, for CI gates and cron alerts.
struct ChangesCommand: AsyncParsableCommand, ConfigFileCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "Report what appeared, vanished or grew in cardinality in a window of days, compared with the days before it.",
        discussion: """
            Compares the window --since…--until (default: the newest stored day) with a baseline of as many days just before \
            --since (or from --baseline-from), like GET /api/v2/changes. Prints a table on a terminal and one JSON object per \
            finding otherwise (--format overrides). Exits 3 when any finding is critical, 0 otherwise, 2 on invalid arguments.
            """
    )

    @OptionGroup var clickhouse: ClickHouseOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var configFile: ConfigFileOptions

    @Option(help: "First day of the window: YYYY-MM-DD or an RFC 3339 time (its UTC day).")
    var since: String

    @Option(help: "Last day of the window (default: the newest day the store holds).")
    var until: String?

    @Option(
        name: .customLong("baseline-from"),
        help: "First day of the baseline, which ends the day before --since (default: as many days as the window).")
    var baselineFrom: String?

    @Option(help: "Only this signal: metric, span or log.")
    var signal: String?

    @Option(help: "Only what this service emitted.")
    var service: String?

    @Option(name: .customLong("min-severity"), help: "Leave out findings below this severity: info (default), warning or critical.")
    var minSeverity: String = "info"

    @Option(help: "Rank findings of one severity by ratio (default) or delta.")
    var sort: String = "ratio"

    @Option(help: "table or json (one JSON object per line); default: table when stdout is a terminal, json otherwise.")
    var format: String?

    func run() async throws {
        let query = try changeQuery()
        let table = try useTable()
        let settings = try Settings(kafka: nil, clickhouse: clickhouse, api: nil, ingest: nil)
        let logger = try LogSetup.bootstrap(logging)
        // One read, not an API under load: it may take as long as a wide range needs (the API's reads stop at 10 s).
        let store = try StoreWiring(settings.clickhouse, reads: .init(maxConcurrent: 3, maxExecutionTime: .seconds(600)), logger: logger)
        let report = try await store.reader.changes(query)
        if table {
            print(ChangesTable.render(report))
        } else {
            for change in report.changes { print(ChangeEncoding.line(change)) }
        }
        if report.hasCritical { throw ExitCode(3) }
    }

    private func changeQuery() throws -> ChangeQuery {
        let since = try Self.day(since, flag: "since")
        let until = try until.map { try Self.day($0, flag: "until") }
        if let until, until < since { throw ConfigurationError("--since is after --until") }
        let baselineFrom = try baselineFrom.map { try Self.day($0, flag: "baseline-from") }
        if let baselineFrom, baselineFrom >= since { throw ConfigurationError("--baseline-from must be before --since") }
        var signalValue: Signal?
        if let signal {
            guard let parsed = Signal(apiName: signal) else { throw ConfigurationError("--signal must be metric, span or log, got '\(signal)'") }
            signalValue = parsed
        }
        guard let severity = ChangeSeverity(name: minSeverity) else {
            throw ConfigurationError("--min-severity must be info, warning or critical, got '\(minSeverity)'")
        }
        guard let order = ChangeQuery.Order(rawValue: sort) else { throw ConfigurationError("--sort must be ratio or delta, got '\(sort)'") }
        return ChangeQuery(
            since: since, until: until, baselineFrom: baselineFrom, signal: signalValue,
            service: service.flatMap { $0.isEmpty ? nil : $0 }, minSeverity: severity, order: order)
    }

    private func useTable() throws -> Bool {
        switch format {
        case nil: return isatty(STDOUT_FILENO) == 1
        case "table": return true
        case "json": return false
        case let other?: throw ConfigurationError("--format must be table or json, got '\(other)'")
        }
    }

    private static func day(_ text: String, flag: String) throws -> UInt16 {
        guard let day = DayRange.parseDay(text) else {
            throw ConfigurationError("--\(flag) must be YYYY-MM-DD or an RFC 3339 time, got '\(text)'")
        }
        return day
    }
}

/// The terminal rendering of a changes report: a heading with the days compared and the summary, then one aligned row
/// per finding.
enum ChangesTable {
    static func render(_ report: ChangeReport) -> String {
        let baseline = report.baseline.map { "\(DayRange.format($0.lowerBound))…\(DayRange.format($0.upperBound))" } ?? "none"
        let summary = ChangeSeverity.allCases.reversed().map { "\(report.summary[$0] ?? 0) \($0.name)" }.joined(separator: ", ")
        var lines = [
            "window \(DayRange.format(report.window.lowerBound))…\(DayRange.format(report.window.upperBound)), baseline \(baseline): \(summary)"
        ]
        guard !report.changes.isEmpty else { return (lines + ["no changes"]).joined(separator: "\n") }
        var rows = [["SEVERITY", "KIND", "ITEM", "SIGNAL", "WHAT", "FROM", "TO", "RATIO", "STARTED"]]
        for change in report.changes {
            rows.append([
                change.severity.name, change.kind.rawValue, change.item.rawValue, change.signal.apiName, what(change),
                String(change.from), String(change.to), change.ratio.map { String(format: "%.2f", $0) } ?? "-",
                change.started.map(DayRange.format) ?? "-",
            ])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            lines.append(
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces))
        }
        return lines.joined(separator: "\n")
    }

    /// The item's identity in one column: `name`, `name · scope key`, `severity · template`, or the service.
    private static func what(_ change: Change) -> String {
        switch change.item {
        case .service: change.service ?? ""
        case .logTemplate: "\(change.name) · \(change.template ?? "")"
        case .key:
            "\(change.name) · \(change.scope.map(ChangeEncoding.scopeName) ?? "")\(change.event.map { " \($0)" } ?? "") \(change.key ?? "")"
        case .metric, .span: change.name
        }
    }
}
