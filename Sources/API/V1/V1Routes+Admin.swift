import Foundation
import Hummingbird

/// `POST /api/v1/admin/clear`, guarded by `Authorization: Bearer <admin token>`.
extension V1Routes {
    /// 403 when no admin token is configured, 401 (with `WWW-Authenticate: Bearer`) for a missing or wrong token,
    /// 200 `{"message":"All data cleared successfully"}` after clearing, 500 `{"error":"Failed to clear data"}` when
    /// the store could not be cleared.
    func clear(_ request: Request) async -> Response {
        if let refusal = adminRefusal(request) { return refusal }
        guard let admin else { return V1Response.error("admin API disabled: no admin token configured", status: .forbidden) }
        do {
            try await admin.clearAll()
        } catch {
            return V1Response.error("Failed to clear data", status: .internalServerError)
        }
        return V1Response.json { json in
            json.beginObject()
            json.field("message", "All data cleared successfully")
            json.endObject()
        }
    }

    /// `nil` when the request carries the admin token; otherwise the answer: 403 when no admin token is configured, 401
    /// (with `WWW-Authenticate: Bearer`) for a missing or wrong token. Every V1 write route asks this first.
    func adminRefusal(_ request: Request) -> Response? {
        guard let expected = adminToken, !expected.isEmpty else {
            return V1Response.error("admin API disabled: no admin token configured", status: .forbidden)
        }
        guard let presented = Self.bearerToken(request.headers[.authorization]), Self.constantTimeEqual(presented, expected) else {
            var response = V1Response.error("invalid or missing admin token", status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return nil
    }

    /// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or `nil`.
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Compares without an early exit, so the time taken does not reveal how much of the token matched.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        var difference = UInt8(truncatingIfNeeded: left.count ^ right.count)
        for index in 0..<max(left.count, right.count) {
            let x = index < left.count ? left[index] : 0
            let y = index < right.count ? right[index] : 0
            difference |= x ^ y
        }
        return difference == 0 && left.count == right.count
    }
}
