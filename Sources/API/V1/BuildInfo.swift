/// What `GET /api/v1/version`, `/api/v1/health` and `census --version` report about the running build.
package struct BuildInfo: Sendable, Hashable {
    /// The release (`git describe --tags` of the build, else the version census's sources declare).
    package var version: String
    /// The abbreviated commit the binary was built from (`-dirty` when the work tree had changes), or `unknown`.
    package var commit: String
    /// When the stamp was written (RFC 3339, UTC), or `unknown`.
    package var buildDate: String

    package init(version: String, commit: String, buildDate: String) {
        self.version = version
        self.commit = commit
        self.buildDate = buildDate
    }
}
