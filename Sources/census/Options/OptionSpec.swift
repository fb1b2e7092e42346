import ArgumentParser

/// One `CENSUS_*` setting, declared once in ``Options``: its flag, variable, default and help. The `@Option` help text,
/// the resolution (flag, then variable, then configuration file, then default: ``Environment``), `census config`, the
/// start-up log and docs/CONFIGURATION.md (generated from `--help`) all come from it.
struct OptionSpec: Sendable {
    /// The long flag without `--`.
    let flag: String
    /// The `CENSUS_*` variable (and key in the configuration file).
    let variable: String
    /// The value used when neither flag, variable nor file sets one; `nil`: unset.
    let defaultValue: String?
    /// How `--help` states the default.
    private let shownDefault: String
    private let summary: String
    private let note: String
    /// A help text that does not follow the `summary (env …; default …).` pattern.
    private let customHelp: String?
    private let valueName: String?

    /// A setting whose help reads `summary (env VARIABLE; default SHOWN)note` (`note` defaults to `.`).
    init(_ flag: String, _ variable: String, default defaultValue: String?, shown: String? = nil, _ summary: String, note: String = ".") {
        self.flag = flag
        self.variable = variable
        self.defaultValue = defaultValue
        self.shownDefault = shown ?? defaultValue ?? "none"
        self.summary = summary
        self.note = note
        self.customHelp = nil
        self.valueName = nil
    }

    /// A setting with a help text of its own (no stated default).
    init(_ flag: String, _ variable: String, help: String, valueName: String? = nil) {
        self.flag = flag
        self.variable = variable
        self.defaultValue = nil
        self.shownDefault = "none"
        self.summary = ""
        self.note = ""
        self.customHelp = help
        self.valueName = valueName
    }

    /// The `--help` text.
    var help: ArgumentHelp {
        ArgumentHelp(customHelp ?? "\(summary) (env \(variable); default \(shownDefault))\(note)", valueName: valueName)
    }

    /// The flag's value, else the variable's (or the configuration file's), else the default (`""` when there is none).
    func string(_ flagValue: String?) -> String {
        Environment.resolve(flagValue, variable, default: defaultValue ?? "")
    }

    /// The flag's value, else the variable's, else `nil` (the default is ignored).
    func given(_ flagValue: String?) -> String? {
        flagValue ?? Environment.string(variable)
    }

    /// An integer setting in `range`; a malformed value is a ``ConfigurationError`` naming where it came from.
    func int(_ flagValue: String?, range: ClosedRange<Int>) throws -> Int {
        try Environment.int(flagValue, variable, flagName: flag, default: Int(defaultValue ?? "") ?? range.lowerBound, range: range)
    }

    /// A duration in seconds (fractions allowed).
    func seconds(_ flagValue: String?, allowZero: Bool = false) throws -> Duration {
        try Environment.seconds(flagValue, variable, flagName: flag, default: Double(defaultValue ?? "") ?? 0, allowZero: allowZero)
    }

    /// The default as an integer (0 when there is none), for settings that hold it before any resolution.
    var defaultInt: Int { Int(defaultValue ?? "") ?? 0 }

    /// The default as a duration in seconds.
    var defaultSeconds: Duration { .milliseconds(Int64((Double(defaultValue ?? "") ?? 0) * 1000)) }

    /// A switch: the flag given, else the variable (`true`/`false`, `1`/`0`, `yes`/`no`), else `false`.
    func bool(_ flagGiven: Bool) throws -> Bool {
        try Environment.bool(flagGiven, variable)
    }

    /// Where the value comes from, for `census config`.
    func source(flagGiven: Bool) -> ConfigurationEntry.Source {
        Environment.source(flag: flagGiven, variable)
    }
}
