import NIOCore
import Testing

@testable import Store

@Suite("INSERT body compression")
struct BodyCompressionTests {
    static func randomBody(_ count: Int) -> ByteBuffer {
        var generator = SplitMix64(seed: 7)
        var encoder = RowBinaryEncoder()
        for _ in 0..<count / 8 { encoder.uint64(UInt64.random(in: 0...UInt64.max, using: &generator)) }
        return encoder.buffer
    }

    static func textBody(_ rows: Int) -> ByteBuffer {
        var encoder = RowBinaryEncoder()
        for id in 0..<rows {
            encoder.uint64(UInt64(id))
            encoder.string("http.server.request.duration checkout eu-west-1 GET /api/cart \(id % 17)")
        }
        return encoder.buffer
    }

    @Test("random value hashes are sent as they are; text-like rows are compressed")
    func decision() throws {
        #expect(try !BodyCompression.isWorthCompressing(Self.randomBody(1 << 20)))
        #expect(try !BodyCompression.isWorthCompressing(Self.randomBody(10_000)))
        #expect(try BodyCompression.isWorthCompressing(Self.textBody(20_000)))
        #expect(try BodyCompression.isWorthCompressing(Self.textBody(100)))
        #expect(try !BodyCompression.isWorthCompressing(ByteBuffer()))
    }

    @Test("an incompressible body above the gzip threshold still arrives intact", arguments: TestServer.configured)
    func incompressibleInsert(server: TestServer) async throws {
        try await server.withDatabase { _, schema in
            let client = try server.client(gzipThreshold: 1)
            _ = try await client.execute("CREATE DATABASE IF NOT EXISTS \(schema.database)")
            _ = try await client.execute("CREATE TABLE \(schema.database).hashes (h UInt64) ENGINE = MergeTree ORDER BY h")
            let body = Self.randomBody(1 << 20)
            var reader = body
            var sum: UInt64 = 0
            while let value = reader.readInteger(endianness: .little, as: UInt64.self) { sum &+= value }
            _ = try await client.execute("INSERT INTO \(schema.database).hashes (h) FORMAT RowBinary", body: body)
            var decoder = RowBinaryDecoder(
                try await client.execute("SELECT toUInt64(count()), sum(h) FROM \(schema.database).hashes FORMAT RowBinary"))
            #expect(try decoder.uint64() == UInt64(1 << 17))
            #expect(try decoder.uint64() == sum)
        }
    }
}
