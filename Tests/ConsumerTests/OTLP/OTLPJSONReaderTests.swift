import Consumer
import Store
import Testing

@Suite("OTLPJSONReader")
struct OTLPJSONReaderTests {
    func transcode(_ json: String, as message: OTLPMessage = .exportLogsServiceRequest) throws(OTLPDecodeError) -> [UInt8] {
        var writer = ProtoWriter()
        var json = json
        let result = json.withUTF8 { raw in
            Result { () throws(OTLPDecodeError) in try OTLPJSONReader.transcode(UnsafeRawBufferPointer(raw), as: message, into: &writer) }
        }
        try result.get()
        return writer.bytes
    }

    func failure(_ json: String, as message: OTLPMessage = .exportLogsServiceRequest) -> OTLPDecodeError? {
        do {
            _ = try transcode(json, as: message)
            return nil
        } catch {
            return error
        }
    }

    /// The `LogRecord` of a one-record request, built with ProtoWriter.
    func logRequest(_ record: (inout ProtoWriter) -> Void) -> [UInt8] {
        var w = ProtoWriter()
        w.message(1) { w in w.message(2) { w in w.message(2) { w in record(&w) } } }
        return w.bytes
    }

    func wrap(_ record: String) -> String {
        #"{"resourceLogs":[{"scopeLogs":[{"logRecords":[\#(record)]}]}]}"#
    }

    @Test("empty and whitespace-only payloads are empty requests")
    func empty() throws {
        #expect(try transcode("").isEmpty)
        #expect(try transcode(" \n\t ").isEmpty)
        #expect(try transcode("{}").isEmpty)
    }

    @Test("accepts camelCase and snake_case names, hex ids, integer and named enums, 64-bit integers as strings or numbers")
    func rules() throws {
        let expected = logRequest { w in
            w.fixed64(1, 1_700_000_000_000_000_000)
            w.varint(2, 17)
            w.string(3, "ERROR")
            w.bytes(9, (1...16).map { UInt8($0) })
            w.bytes(10, [0xAB, 0, 0, 0, 0, 0, 0, 0xCD])
        }
        let camel = wrap(
            #"{"timeUnixNano":"1700000000000000000","severityNumber":17,"severityText":"ERROR","traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"AB000000000000CD"}"#
        )
        let snake = wrap(
            #"{"time_unix_nano":1700000000000000000,"severity_number":"SEVERITY_NUMBER_ERROR","severity_text":"ERROR","trace_id":"0102030405060708090A0B0C0D0E0F10","span_id":"ab000000000000cd"}"#
        )
        #expect(try transcode(camel) == expected)
        #expect(try transcode(snake) == expected)
    }

    @Test("AnyValue objects of every kind, escapes and surrogate pairs")
    func anyValues() throws {
        let expected = logRequest { w in
            w.message(5) { w in w.string(1, "a\"b\\c\n\u{1F642}é\u{FFFD}") }
            TestOTLP.keyValue(6, "i", .int(-42), into: &w)
            TestOTLP.keyValue(6, "d", .double(1.5), into: &w)
            TestOTLP.keyValue(6, "n", .double(.infinity), into: &w)
            TestOTLP.keyValue(6, "b", .bool(false), into: &w)
            TestOTLP.keyValue(6, "y", .bytes([0, 1, 0xFF]), into: &w)
            TestOTLP.keyValue(6, "a", .array([.string("x"), .int(1)]), into: &w)
            TestOTLP.keyValue(6, "m", .kvlist([("k", .bool(true))]), into: &w)
            TestOTLP.keyValue(6, "e", .empty, into: &w)
        }
        let json = wrap(
            #"""
            {"body":{"stringValue":"a\"b\\c\n\ud83d\ude42\u00e9\udc00"},"attributes":[
              {"key":"i","value":{"intValue":"-42"}},
              {"key":"d","value":{"doubleValue":1.5}},
              {"key":"n","value":{"doubleValue":"Infinity"}},
              {"key":"b","value":{"boolValue":false}},
              {"key":"y","value":{"bytesValue":"AAH/"}},
              {"key":"a","value":{"arrayValue":{"values":[{"stringValue":"x"},{"intValue":1}]}}},
              {"key":"m","value":{"kvlistValue":{"values":[{"key":"k","value":{"boolValue":true}}]}}},
              {"key":"e","value":{}}
            ]}
            """#)
        #expect(try transcode(json) == expected)
    }

    @Test("ignores unknown fields and nulls")
    func unknownAndNull() throws {
        let json = wrap(#"{"severityText":"INFO","extra":{"deep":[1,2.5e3,{"x":null},true,false,"s"]},"body":null,"attributes":null}"#)
        #expect(try transcode(json) == logRequest { w in w.string(3, "INFO") })
    }

    @Test(
        "reports syntax errors and wrong types with a reason and an offset",
        arguments: [
            (#"{"resourceLogs":[}"#, "expected an object for ResourceLogs"),
            (#"{"resourceLogs":{}}"#, "expected an array for field 'resourceLogs'"),
            (#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"high"}]}]}]}"#, "expected a number for field 'severityNumber'"),
            (#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityText":5}]}]}]}"#, "expected a string for field 'severityText'"),
            (#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"xyz"}]}]}]}"#, "invalid hex id in field 'traceId'"),
            (
                #"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"droppedAttributesCount":-1}]}]}]}"#,
                "number out of range for field 'droppedAttributesCount'"
            ),
            (
                #"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"18446744073709551616"}]}]}]}"#,
                "number out of range for field 'timeUnixNano'"
            ),
            (#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":1.5}]}]}]}"#, "expected an integer for field 'severityNumber'"),
            (#"{"resourceLogs":[]} x"#, "unexpected characters after the request object"),
            (#"{"resourceLogs":[]"#, "unexpected end of input in ExportLogsServiceRequest"),
            (#"{"resourceLogs" []}"#, "expected ':'"),
            (#"{"a":"\q"}"#, "invalid escape in string"),
            ("{\"a\":\"\u{01}\"}", "unescaped control character in string"),
            (#"[1,2]"#, "expected an object for ExportLogsServiceRequest"),
        ])
    func errors(json: String, reason: String) throws {
        let error = try #require(failure(json))
        #expect(error.encoding == .json)
        #expect(error.reason == reason)
        #expect(error.offset >= 0 && error.offset <= json.utf8.count)
    }

    @Test("limits nesting depth")
    func depth() {
        let deep = String(repeating: #"{"arrayValue":{"values":["#, count: 80) + String(repeating: "]}}", count: 80)
        let json = wrap(#"{"body":\#(deep)}"#)
        #expect(failure(json)?.reason.hasPrefix("objects nested more than 100 deep") == true)
        let unknown = #"{"x":"# + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}"
        #expect(failure(unknown)?.reason.hasPrefix("values nested more than 100 deep") == true)
    }

    @Test(
        "transcodes what OTLPJSONWriter writes back to the same protobuf",
        arguments: [
            ("metrics", OTLPMessage.exportMetricsServiceRequest),
            ("traces", .exportTraceServiceRequest),
            ("logs", .exportLogsServiceRequest),
        ])
    func roundTrip(name: String, message: OTLPMessage) throws {
        let proto = try TestOTLP.fixture("\(name).pb")
        let json = try OTLPJSONWriter.transcode(proto, as: message)
        var writer = ProtoWriter()
        try json.withUnsafeBytes { try OTLPJSONReader.transcode($0, as: message, into: &writer) }
        #expect(writer.bytes == proto)
    }

    @Test("invalid UTF-8 anywhere in a JSON record is an error (the record is quarantined, not repaired)")
    func invalidUTF8() throws {
        let prefix = Array(#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"caf"#.utf8)
        let suffix = Array(#""}}]}]}]}"#.utf8)
        for bad: [UInt8] in [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] {
            let bytes = prefix + bad + suffix
            let result = bytes.withUnsafeBytes { raw in
                var writer = ProtoWriter()
                return Result { () throws(OTLPDecodeError) in try OTLPJSONReader.transcode(raw, as: .exportLogsServiceRequest, into: &writer) }
            }
            guard case .failure(let error) = result else {
                Issue.record("accepted invalid UTF-8 \(bad)")
                continue
            }
            #expect(error.reason == "invalid UTF-8")
            #expect(error.offset == prefix.count)
        }
        // Valid multi-byte text is fine.
        #expect(try !transcode(wrap(#"{"body":{"stringValue":"café ✓ 𝄞"}}"#)).isEmpty)
    }
}
