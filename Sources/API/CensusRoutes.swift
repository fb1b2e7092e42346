import Hummingbird

/// Every route census serves, registered in one place: the executable builds its router with this, and the OpenAPI
/// test checks `docs/openapi.json` against exactly these routes.
package struct CensusRoutes: Sendable {
    /// The V1 API (`/api/v1/...`).
    package var v1: V1Routes
    /// The V2 API (`/api/v2/...`); `nil` in tests that only need V1.
    package var v2: V2Routes?
    /// `GET /api/v1/quarantine`.
    package var quarantine: QuarantineRoutes

    /// `GET /metrics` and `GET /readyz`. (The web UI, `GET /` and `GET /ui/{asset}`, and the OpenAPI document need no
    /// state and are always registered.)
    package var operations: OperationsRoutes
    /// Rendered answers reused for a short time (`nil`: none).
    package var responseCache: RenderedResponseCache?

    package init(
        v1: V1Routes, v2: V2Routes? = nil, quarantine: QuarantineRoutes, operations: OperationsRoutes, responseCache: RenderedResponseCache? = nil
    ) {
        self.v1 = v1
        self.v2 = v2
        self.quarantine = quarantine
        self.operations = operations
        self.responseCache = responseCache
    }

    package func register<Context: RequestContext>(on router: Router<Context>) {
        if let responseCache { router.add(middleware: ResponseCacheMiddleware<Context>(cache: responseCache)) }
        v1.register(on: router)
        v2?.register(on: router)
        quarantine.register(on: router)
        operations.register(on: router)
        OpenAPIRoutes().register(on: router)
        UIRoutes().register(on: router)
    }
}
