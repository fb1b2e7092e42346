import Store

/// A ``V2Reading`` whose every read fails (for tests that only need the routes registered, such as the OpenAPI check).
/// Each capability's stubs live in `UnavailableV2Reader+<Capability>.swift`.
struct UnavailableV2Reader: V2Reading {
    struct Unavailable: Error {}
}
