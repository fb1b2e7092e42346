import Consumer
import Store
import Testing

@Suite("ValueText")
struct ValueTextTests {
    /// The text and hash of an AnyValue built with ProtoWriter.
    func describe(_ value: TestOTLP.Value) throws -> (text: String, hash: UInt64) {
        var w = ProtoWriter()
        TestOTLP.write(value, into: &w)
        let result = w.bytes.withUnsafeBytes { raw in
            Result { () throws(WireError) -> (String, UInt64) in
                let view = try AnyValueView(WireReader(raw))
                var scratch: [UInt8] = []
                return (try ValueText.string(view), try ValueText.hash(view, scratch: &scratch))
            }
        }
        return try result.get()
    }

    @Test(
        "formats every kind",
        arguments: [
            (TestOTLP.Value.string("héllo"), "héllo"),
            (.int(-42), "-42"),
            (.int(Int64.max), "9223372036854775807"),
            (.double(200), "200.0"),
            (.double(0.1), "0.1"),
            (.double(1e-9), "1e-09"),
            (.double(1e16), "1e+16"),
            (.double(-0.0), "-0.0"),
            (.double(.nan), "nan"),
            (.double(-.infinity), "-inf"),
            (.bool(true), "true"),
            (.bytes([0, 1, 0xFE, 0xFF]), "AAH+/w=="),
            (.empty, ""),
            (
                .array([.string("a\"\n"), .int(1), .double(2.5), .bool(false), .empty, .bytes([0xFF]), .double(.nan)]),
                #"["a\"\n",1,2.5,false,null,"/w==","NaN"]"#
            ),
            (
                .kvlist([("zeta", .int(1)), ("alpha", .kvlist([("b", .bool(true)), ("a", .array([]))])), ("alpha", .string("dup"))]),
                #"{"alpha":{"a":[],"b":true},"alpha":"dup","zeta":1}"#
            ),
        ])
    func formats(value: TestOTLP.Value, text: String) throws {
        #expect(try describe(value).text == text)
    }

    @Test("hashes by type and bytes; NaN payloads and key order in kvlists do not matter")
    func hashes() throws {
        #expect(try describe(.string("1")).hash != describe(.int(1)).hash)
        #expect(try describe(.int(1)).hash != describe(.double(1)).hash)
        #expect(try describe(.string("AA==")).hash != describe(.bytes([0])).hash)
        #expect(try describe(.double(.nan)).hash == describe(.double(Double(nan: 0x1234, signaling: false))).hash)
        #expect(try describe(.kvlist([("a", .int(1)), ("b", .int(2))])).hash == describe(.kvlist([("b", .int(2)), ("a", .int(1))])).hash)
        #expect(try describe(.string("x")).hash == ValueHash.hash("x", tag: .string))
        #expect(try describe(.empty).hash == ValueHash.hash(UnsafeRawBufferPointer(start: nil, count: 0), tag: .empty))
    }

    @Test("truncates samples at a scalar boundary")
    func prefix() {
        let text = Array("aé🙂b".utf8)
        text.withUnsafeBytes { bytes in
            #expect(ScalarPrefix.length(bytes, maxScalars: 0) == 0)
            #expect(ScalarPrefix.length(bytes, maxScalars: 1) == 1)
            #expect(ScalarPrefix.length(bytes, maxScalars: 2) == 3)
            #expect(ScalarPrefix.length(bytes, maxScalars: 3) == 7)
            #expect(ScalarPrefix.length(bytes, maxScalars: 9) == 8)
        }
    }
}
