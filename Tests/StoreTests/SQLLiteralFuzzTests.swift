import Testing

@testable import Store

@Suite("SQLLiteral round trips through a server", .enabled(if: TestServer.anyConfigured))
struct SQLLiteralFuzzTests {
    /// Random byte strings biased towards the bytes that matter for escaping.
    static func randomBytes(using generator: inout SplitMix64) -> [UInt8] {
        let interesting: [UInt8] = [0x00, 0x27, 0x5C, 0x0A, 0x0D, 0x09, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xF0, 0xFF, 0x22, 0x60, 0x3B, 0x78]
        let length = Int.random(in: 0...40, using: &generator)
        return (0..<length).map { _ in
            Bool.random(using: &generator) ? interesting.randomElement(using: &generator) ?? 0 : UInt8.random(in: 0...255, using: &generator)
        }
    }

    @Test("random byte strings come back byte-identical", arguments: TestServer.configured)
    func bytes(server: TestServer) async throws {
        let client = try server.client()
        var generator = SplitMix64(seed: 0xC0FFEE)
        for _ in 0..<10 {
            let values = (0..<150).map { _ in Self.randomBytes(using: &generator) }
            let sql = "SELECT " + values.map { SQLLiteral.string(bytes: $0) }.joined(separator: ", ") + " FORMAT RowBinary"
            var decoder = RowBinaryDecoder(try await client.execute(sql))
            for value in values {
                #expect(Array(try decoder.bytesValue()) == value)
            }
            #expect(decoder.isAtEnd)
        }
    }

    @Test("random Unicode strings and arrays come back identical", arguments: TestServer.configured)
    func strings(server: TestServer) async throws {
        let client = try server.client()
        var generator = SplitMix64(seed: 42)
        let alphabet: [Character] = ["a", "'", "\\", "\n", "\u{0}", "é", "✓", "🙂", "\"", "`", "?", "{", "}", "\u{7F}", "\u{202E}", " ", "x"]
        for _ in 0..<5 {
            let values = (0..<100).map { _ in
                String((0..<Int.random(in: 0...30, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? "a" })
            }
            let sql = "SELECT " + values.map(SQLLiteral.string).joined(separator: ", ") + ", " + SQLLiteral.stringArray(values) + " FORMAT RowBinary"
            var decoder = RowBinaryDecoder(try await client.execute(sql))
            for value in values {
                #expect(try decoder.string() == value)
            }
            #expect(try decoder.stringArray() == values)
            #expect(decoder.isAtEnd)
        }
    }

    @Test("numbers come back identical", arguments: TestServer.configured)
    func numbers(server: TestServer) async throws {
        let client = try server.client()
        let doubles: [Double] = [0, -0.0, 1.5, -2.25, 1e-300, 1.7976931348623157e308, 0.1, 123456789.123456789, .infinity, -.infinity]
        let sql =
            "SELECT " + doubles.map { "toFloat64(\(SQLLiteral.float($0)))" }.joined(separator: ", ")
            + ", toInt64(\(SQLLiteral.integer(Int64.min))), toUInt64(\(SQLLiteral.integer(UInt64.max))), toFloat64(\(SQLLiteral.float(.nan))) FORMAT RowBinary"
        var decoder = RowBinaryDecoder(try await client.execute(sql))
        for value in doubles {
            #expect(try decoder.float64() == value)
        }
        #expect(try decoder.int64() == .min)
        #expect(try decoder.uint64() == .max)
        #expect(try decoder.float64().isNaN)
    }
}
