import Testing

@testable import Store

@Suite("SQLLiteral")
struct SQLLiteralTests {
    @Test(
        "escapes backslash, quote and control bytes",
        arguments: [
            ("plain", "'plain'"),
            ("", "''"),
            ("it's", #"'it\'s'"#),
            (#"back\slash"#, #"'back\\slash'"#),
            ("line\nbreak\ttab\r", #"'line\x0abreak\x09tab\x0d'"#),
            ("nul\u{0}byte", #"'nul\x00byte'"#),
            ("del\u{7F}", #"'del\x7f'"#),
            ("ünïcödé ✓ 🙂", "'ünïcödé ✓ 🙂'"),
            (#"\'"#, #"'\\\''"#),
        ])
    func escapesStrings(input: String, expected: String) {
        #expect(SQLLiteral.string(input) == expected)
    }

    @Test(
        "injection attempts stay inside one literal",
        arguments: [
            "'; DROP DATABASE census; --",
            #"\'; DROP TABLE x; --"#,
            "' OR 1=1 --",
            "''",
            #"\"#,
            "\u{0}'",
            "a' FORMAT TabSeparated",
        ])
    func injection(_ input: String) {
        let literal = SQLLiteral.string(input)
        #expect(literal.hasPrefix("'") && literal.hasSuffix("'"))
        // Inside the quotes, every quote is escaped by an odd run of backslashes.
        let inner = Array(literal.utf8.dropFirst().dropLast())
        var backslashes = 0
        for byte in inner {
            if byte == UInt8(ascii: "'") { #expect(backslashes % 2 == 1) }
            backslashes = byte == UInt8(ascii: "\\") ? backslashes + 1 : 0
        }
        #expect(backslashes % 2 == 0, "the closing quote must not be escaped")
        #expect(!literal.utf8.contains { $0 < 0x20 || $0 == 0x7F })
    }

    @Test("invalid UTF-8 bytes become hex escapes; the SQL stays ASCII")
    func invalidUTF8() {
        let literal = SQLLiteral.string(bytes: [0x61, 0xFF, 0xC3, 0x27, 0x00, 0xE2, 0x82])
        #expect(literal == #"'a\xff\xc3\'\x00\xe2\x82'"#)
        #expect(literal.utf8.allSatisfy { $0 < 0x80 })
        // Valid UTF-8 bytes keep their characters.
        #expect(SQLLiteral.string(bytes: Array("é'".utf8)) == #"'é\''"#)
    }

    @Test("identifiers are allow-listed, never escaped")
    func identifiers() throws {
        for valid in ["census", "_x", "census_test_1", "A9_b"] {
            #expect(try SQLLiteral.identifier(valid) == valid)
        }
        for invalid in ["", "1abc", "census-db", "a b", "a.b", "a`b", "a;drop", "ümlaut", String(repeating: "a", count: 129), "a\u{0}"] {
            #expect(throws: StoreError.self) { try SQLLiteral.identifier(invalid) }
            #expect(!SQLLiteral.isValidIdentifier(invalid))
        }
        #expect(throws: StoreError.self) { try Schema(database: "census; DROP DATABASE x") }
    }

    @Test("numbers and lists")
    func numbers() {
        #expect(SQLLiteral.integer(-42) == "-42")
        #expect(SQLLiteral.integer(UInt64.max) == "18446744073709551615")
        #expect(SQLLiteral.float(1.5) == "1.5")
        #expect(SQLLiteral.float(1e-300) == "1e-300")
        #expect(SQLLiteral.float(.infinity) == "inf")
        #expect(SQLLiteral.float(-.infinity) == "-inf")
        #expect(SQLLiteral.float(.nan) == "nan")
        #expect(SQLLiteral.stringArray(["a", "b'"]) == #"['a', 'b\'']"#)
        #expect(SQLLiteral.stringList(["x"]) == "('x')")
    }
}
