import Consumer
import Store
import Testing

@Suite("WireValidator")
struct WireValidatorTests {
    func validate(_ bytes: [UInt8], as message: OTLPMessage = .exportMetricsServiceRequest) throws(OTLPDecodeError) {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(OTLPDecodeError) in try WireValidator.validate(raw, as: message) } }
        _ = try result.get()
    }

    func error(_ bytes: [UInt8], as message: OTLPMessage = .exportMetricsServiceRequest) -> OTLPDecodeError? {
        do {
            try validate(bytes, as: message)
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "accepts the fixtures and the empty request",
        arguments: [
            ("metrics.pb", OTLPMessage.exportMetricsServiceRequest),
            ("traces.pb", .exportTraceServiceRequest), ("logs.pb", .exportLogsServiceRequest),
        ])
    func accepts(file: String, message: OTLPMessage) throws {
        try validate(try TestOTLP.fixture(file), as: message)
        try validate([], as: message)
    }

    @Test("skips unknown fields of every wire type")
    func unknownFields() throws {
        var w = ProtoWriter()
        w.varint(99, 1)
        w.fixed64(100, 2)
        w.fixed32(101, 3)
        w.bytes(102, [1, 2, 3])
        w.message(1) { w in w.varint(77, 5) }
        try validate(w.bytes)
    }

    @Test("names the message path of a wrong wire type")
    func wrongWireType() throws {
        var w = ProtoWriter()
        w.message(1) { w in  // ResourceMetrics
            w.message(2) { w in  // ScopeMetrics
                w.message(2) { w in  // Metric
                    w.varint(1, 5)  // name as a varint
                }
            }
        }
        let failure = try #require(error(w.bytes))
        #expect(failure.encoding == .proto)
        #expect(
            failure.reason
                == "field 1 has unexpected wire type varint in ExportMetricsServiceRequest.resource_metrics > ResourceMetrics.scope_metrics > ScopeMetrics.metrics > Metric.name"
        )
        #expect(failure.description.hasPrefix("protobuf: field 1 has unexpected wire type varint in"))
    }

    @Test("rejects truncation anywhere in a real request")
    func truncation() throws {
        let bytes = try TestOTLP.fixture("traces.pb")
        var failures = 0
        for cut in stride(from: 1, to: bytes.count, by: 7) {
            if error(Array(bytes[..<cut]), as: .exportTraceServiceRequest) != nil { failures += 1 }
        }
        // Nearly every cut breaks a length prefix; a cut exactly between top-level fields is a valid (shorter) request.
        #expect(failures > bytes.count / 7 - 3)
    }

    @Test("checks packed lengths and AnyValue wire types")
    func packedAndAnyValue() throws {
        var w = ProtoWriter()
        w.message(1) { w in
            w.message(2) { w in
                w.message(2) { w in
                    w.message(9) { w in  // histogram
                        w.message(1) { w in w.bytes(7, [1, 2, 3]) }  // explicit_bounds packed, 3 bytes
                    }
                }
            }
        }
        #expect(error(w.bytes)?.reason.hasPrefix("packed field 7 has a length that is not a multiple of its element size") == true)

        var kv = ProtoWriter()
        kv.message(1) { w in
            w.message(1) { w in  // Resource
                w.message(1) { w in  // KeyValue
                    w.string(1, "k")
                    w.message(2) { w in w.fixed32(3, 1) }  // int_value as fixed32
                }
            }
        }
        #expect(
            error(kv.bytes)?.reason
                == "field 3 has unexpected wire type fixed32 in ExportMetricsServiceRequest.resource_metrics > ResourceMetrics.resource > Resource.attributes > KeyValue.value > AnyValue.int_value"
        )
    }

    @Test("limits nesting depth")
    func depth() {
        // An AnyValue array nested 150 deep inside a resource attribute.
        var value: [UInt8] = [0x0A, 0x00]  // string_value ""
        for _ in 0..<150 {
            var w = ProtoWriter()
            w.message(5) { w in w.bytes(1, value) }
            value = w.bytes
        }
        var w = ProtoWriter()
        w.message(1) { w in
            w.message(1) { w in
                w.message(1) { w in
                    w.string(1, "k"); w.bytes(2, value)
                }
            }
        }
        #expect(error(w.bytes)?.reason.hasPrefix("messages nested more than 100 deep") == true)
    }
}
