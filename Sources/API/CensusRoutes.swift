import Hummingbird

/// Every route census serves, registered in one place: the executable builds its router with this, and the OpenAPI
/// test checks `docs/openapi.json` against exactly these routes.
package struct CensusRoutes: Sendable {
    /// The V1 API (`/api/v1/...`).
    package var v1: V1Routes
    /// `GET /api/v1/quarantine`.
    package var quarantine: QuarantineRoutes

    package init(v1: V1Routes, quarantine: QuarantineRoutes) {
        self.v1 = v1
        self.quarantine = quarantine
    }

    package func register<Context: RequestContext>(on router: Router<Context>) {
        v1.register(on: router)
        quarantine.register(on: router)
        OpenAPIRoutes().register(on: router)
    }
}
