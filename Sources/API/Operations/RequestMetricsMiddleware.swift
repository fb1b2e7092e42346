import Dispatch
import Hummingbird
import Metrics
import Synchronization

/// Counts API requests and measures their latency by route template, method and status code.
///
/// - `census_http_requests_total{route,method,status}` (counter)
/// - `census_http_request_duration_seconds{route,method,status}` (histogram)
///
/// `route` is the matched route template (`/api/v1/metrics/{name}`), never the raw path, so the number of label
/// values stays bounded; requests that match no route are counted as `unmatched`. The handlers of each label set are
/// made once and kept (routes × methods × statuses: a bounded set), not created per request.
package struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let handlers: Handlers

    /// - Parameter factory: where the handlers come from; the process-wide `MetricsSystem.factory` by default.
    package init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.handlers = Handlers(factory: factory)
    }

    /// The counter and timer of each (route, method, status), made on first use.
    private final class Handlers: Sendable {
        struct Labels: Hashable {
            var route: String
            var method: String
            var status: Int
        }

        let factory: any MetricsFactory
        let made = Mutex<[Labels: (Counter, Timer)]>([:])

        init(factory: any MetricsFactory) {
            self.factory = factory
        }

        func handlers(for labels: Labels) -> (Counter, Timer) {
            made.withLock { made in
                if let found = made[labels] { return found }
                let dimensions = [("route", labels.route), ("method", labels.method), ("status", String(labels.status))]
                let pair = (
                    Counter(label: "census_http_requests_total", dimensions: dimensions, factory: factory),
                    Timer(label: "census_http_request_duration_seconds", dimensions: dimensions, factory: factory)
                )
                made[labels] = pair
                return pair
            }
        }
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            let response = try await next(request, context)
            record(request, context: context, status: response.status, started: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            record(request, context: context, status: status, started: started)
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: HTTPResponse.Status, started: UInt64) {
        let labels = Handlers.Labels(route: context.endpointPath ?? "unmatched", method: Self.methodLabel(request.method), status: status.code)
        let (counter, timer) = handlers.handlers(for: labels)
        counter.increment()
        timer.recordNanoseconds(DispatchTime.now().uptimeNanoseconds - started)
    }

    /// Standard methods by name; anything a client invents is `other`, so labels stay bounded.
    static func methodLabel(_ method: HTTPRequest.Method) -> String {
        let known: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .delete, .patch, .options, .connect, .trace]
        return known.contains(method) ? method.rawValue : "other"
    }
}
