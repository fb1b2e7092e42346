import Foundation
import NIOCore

/// One file of the web UI, embedded in the binary: its bytes, the same bytes gzip-compressed, its content type and
/// its entity tag. The generated table ``UIAssets/all`` holds every asset (``scripts/gen-ui-assets.py``).
struct UIAsset: Sendable {
    /// The file's name below `Sources/API/UI/assets/`, which is also its path below `/ui/` (`index.html` is served at `/`).
    let name: String
    /// The `Content-Type` header value.
    let contentType: String
    /// The strong entity tag (quoted): a prefix of the SHA-256 of ``body``.
    let etag: String
    /// The file's bytes.
    let body: ByteBuffer
    /// The file's bytes, gzip-compressed once at generation time.
    let gzipped: ByteBuffer

    /// Decodes the generator's base64 texts (line breaks are ignored).
    /// - Precondition: both texts are valid base64; the generator writes nothing else, and a test decodes every asset.
    init(name: String, contentType: String, etag: String, base64: String, gzipBase64: String) {
        self.name = name
        self.contentType = contentType
        self.etag = etag
        let bytes = Data(base64Encoded: base64, options: .ignoreUnknownCharacters)
        let compressed = Data(base64Encoded: gzipBase64, options: .ignoreUnknownCharacters)
        precondition(bytes != nil && compressed != nil, "UI asset \(name): invalid base64 (regenerate with scripts/gen-ui-assets.py)")
        body = ByteBuffer(bytes: bytes ?? Data())
        gzipped = ByteBuffer(bytes: compressed ?? Data())
    }
}
