import CompressNIO
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import API

/// The embedded web UI: the generated table is the files on disk, and `GET /`, `GET /ui/{asset}` answer them with the
/// headers the UI relies on (content type, ETag/304, gzip, content security policy). Pages in a real browser:
/// Tests/e2e/test_ui.py.
@Suite("Web UI routes")
struct UIRoutesTests {
    static let assetDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/API/UI/assets")

    @Test("UIAssets.swift embeds exactly the files of Sources/API/UI/assets (else: python3 scripts/gen-ui-assets.py)")
    func embeddedAssetsAreTheFiles() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.assetDirectory.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(UIAssets.all.map(\.name) == names, "stale Sources/API/UI/UIAssets.swift: run python3 scripts/gen-ui-assets.py")
        for asset in UIAssets.all {
            let file = try Data(contentsOf: Self.assetDirectory.appendingPathComponent(asset.name))
            #expect(Data(asset.body.readableBytesView) == file, "\(asset.name) differs from its file: run python3 scripts/gen-ui-assets.py")
            var gzipped = asset.gzipped
            let inflated = try gzipped.decompress(with: .gzip())
            #expect(Data(inflated.readableBytesView) == file, "\(asset.name): gzip copy differs")
        }
        #expect(names.contains("index.html"))
    }

    func withApplication(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Router()
        OpenAPIDocumentTests.routes().register(on: router)
        try await Application(router: router).test(.router, body)
    }

    @Test("GET / is index.html with ETag, no-cache and the content security policy; a matching If-None-Match is 304")
    func index() async throws {
        let index = try #require(UIAssets.all.first { $0.name == "index.html" })
        try await withApplication { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.contentSecurityPolicy] == "default-src 'self'")
                #expect(response.headers[.cacheControl] == "no-cache")
                #expect(response.headers[.eTag] == index.etag)
                #expect(response.headers[.contentEncoding] == nil)
                #expect(String(buffer: response.body).contains("<script type=\"module\" src=\"/ui/app.js\"></script>"))
            }
            try await client.execute(uri: "/", method: .get, headers: [.ifNoneMatch: "\"other\", \(index.etag)"]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.eTag] == index.etag)
            }
            try await client.execute(uri: "/", method: .get, headers: [.ifNoneMatch: "\"stale\""]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("assets: content types, gzip when accepted, 404 JSON for unknown names")
    func assets() async throws {
        try await withApplication { client in
            try await client.execute(uri: "/ui/app.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(String(buffer: response.body).contains("hashchange"))
            }
            try await client.execute(uri: "/ui/app.css", method: .get, headers: [.acceptEncoding: "gzip, br"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/css; charset=utf-8")
                #expect(response.headers[.contentEncoding] == "gzip")
                #expect(response.headers[.vary] == "Accept-Encoding")
                var body = response.body
                let inflated = try body.decompress(with: .gzip())
                #expect(String(buffer: inflated).contains(":root"))
            }
            try await client.execute(uri: "/ui/favicon.svg", method: .get, headers: [.acceptEncoding: "gzip;q=0"]) { response in
                #expect(response.headers[.contentType] == "image/svg+xml")
                #expect(response.headers[.contentEncoding] == nil)
            }
            for uri in ["/ui/missing.js", "/ui/index.html", "/ui/..%2Fapp.js", "/ui/"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(response.headers[.contentType] == "application/json", "\(uri)")
                    #expect(String(buffer: response.body) == #"{"error":"not found"}"# + "\n", "\(uri)")
                }
            }
        }
    }

    @Test("If-None-Match: weak tags and * match, other tags do not")
    func ifNoneMatch() {
        #expect(UIRoutes.matches(["W/\"a\""], etag: "\"a\""))
        #expect(UIRoutes.matches(["*"], etag: "\"a\""))
        #expect(UIRoutes.matches(["\"b\" , \"a\""], etag: "\"a\""))
        #expect(!UIRoutes.matches(["\"b\""], etag: "\"a\""))
        #expect(!UIRoutes.matches([], etag: "\"a\""))
    }
}
