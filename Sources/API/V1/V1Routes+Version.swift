import Hummingbird

extension V1Routes {
    /// `GET /api/v1/version`: the reference's `VersionResponse` (`version`, `commit`, `build_date`), from the stamp compiled
    /// into the binary.
    func versionInfo() -> Response {
        V1Response.json { json in
            json.beginObject()
            json.field("version", build.version)
            json.field("commit", build.commit)
            json.field("build_date", build.buildDate)
            json.endObject()
        }
    }
}
