import HTTPTypes
import Hummingbird
import Logging

/// Gives every error the router or a handler raises the V1 JSON envelope `{"error": "..."}`: an unknown path is
/// `404 {"error":"not found"}`, a known V1 path with the wrong method `405 {"error":"method not allowed"}` with an
/// `Allow` header (the reference's status codes; it wrote plain-text or empty bodies there).
///
/// A ``StorageFailure`` is logged once with the route and answered without its detail: 503 with `Retry-After` and
/// `{"error":"too many concurrent reads"}`, `{"error":"read timed out: storage busy"}` or `{"error":"storage not ready: …"}`
/// when the store is too busy or its schema is not there yet (see ``StorageFailure/retryLaterReason``), else
/// `500 {"error":"storage unavailable"}`.
struct V1ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Seconds a client is asked to wait after a 503 (the read queue moves in well under that).
    static var retryAfterSeconds: Int { 1 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let failure as StorageFailure {
            if let reason = failure.retryLaterReason {
                let metadata: Logger.Metadata = ["route": "\(request.method) \(request.uri.path)", "error": "\(failure.underlying)"]
                if failure.isSchemaMissing {
                    context.logger.warning("storage not ready: the schema does not exist yet", metadata: metadata)
                } else {
                    context.logger.debug("storage busy", metadata: metadata)
                }
                var response = V1Response.error(reason, status: .serviceUnavailable)
                response.headers[.retryAfter] = String(Self.retryAfterSeconds)
                return response
            }
            context.logger.error(
                "storage read failed",
                metadata: [
                    "route": "\(request.method) \(request.uri.path)", "error": "\(failure.underlying)",
                ])
            return V1Response.error("storage unavailable", status: .internalServerError)
        } catch let error as HTTPError {
            if error.status == .notFound {
                let methods = V1RouteTable.methods(matching: Substring(request.uri.path)) + V2Routes.methods(matching: Substring(request.uri.path))
                if !methods.isEmpty, !methods.contains(request.method) {
                    var response = V1Response.error("method not allowed", status: .methodNotAllowed)
                    response.headers[.allow] = methods.map(\.rawValue).joined(separator: ", ")
                    return response
                }
                return V1Response.error("not found", status: .notFound)
            }
            var response = V1Response.error(error.body ?? error.status.reasonPhrase.lowercased(), status: error.status)
            for field in error.headers where field.name != .contentType && field.name != .contentLength {
                response.headers.append(field)
            }
            return response
        }
    }
}
