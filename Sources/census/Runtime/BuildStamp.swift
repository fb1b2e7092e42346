import API

/// The build's version, commit and date, compiled in (nothing is looked up at run time).
///
/// `scripts/lib/build-stamp.sh` (run by every build script before `swift build`) writes the git-ignored
/// `BuildStamp+Generated.swift` next to this file: an extension declaring `BuildStamp.generated`, which shadows the
/// `nil` default below. A plain `swift build` without it reports the declared version with commit and date `unknown`.
enum BuildStamp: BuildStampDefault {
    /// The version the sources declare (a release tag, when the build has one, takes its place).
    static let declaredVersion = "0.1.0"

    static let current: BuildInfo = generated ?? BuildInfo(version: declaredVersion, commit: "unknown", buildDate: "unknown")

    /// The `census --version` line: `0.1.0 (commit 1a2b3c4d5e6f, built 2026-12-05T07:30:00Z)`.
    static var versionLine: String {
        "\(current.version) (commit \(current.commit), built \(current.buildDate))"
    }
}

/// The default `generated` stamp (none) that a generated extension of ``BuildStamp`` shadows.
protocol BuildStampDefault {}

extension BuildStampDefault {
    static var generated: BuildInfo? { nil }
}
