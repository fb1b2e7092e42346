import Hummingbird

/// Every route census serves, registered in one place: the executable builds its router with this, and the OpenAPI
/// test checks `docs/openapi.json` against exactly these routes.
package struct CensusRoutes: Sendable {
    /// The V1 API (`/api/v1/...`).
    package var v1: V1Routes

    package init(v1: V1Routes) {
        self.v1 = v1
    }

    package func register<Context: RequestContext>(on router: Router<Context>) {
        v1.register(on: router)
        OpenAPIRoutes().register(on: router)
    }
}
