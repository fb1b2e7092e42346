import Consumer
import Store
import Testing

@Suite("BodyTemplater")
struct BodyTemplaterTests {
    @Test(
        "masks variable tokens",
        arguments: [
            ("User 42 logged in from 10.0.0.7", "User <NUM> logged in from <IP>"),
            ("Payment 9f3c2a1b7e failed after 120ms", "Payment <HEX> failed after <DURATION>"),
            ("took 1.5s", "took <DURATION>"),
            ("uploaded 10KB in 3ms, 2.5GiB total", "uploaded <SIZE> in <DURATION>, <SIZE> total"),
            ("req 550e8400-e29b-41d4-a716-446655440000 done", "req <UUID> done"),
            ("mail alice.smith+tag@example.co.uk bounced", "mail <EMAIL> bounced"),
            ("GET https://api.example.com/v1/users?id=5, retrying", "GET <URL>, retrying"),
            ("open /var/log/app.log: permission denied", "open <URL>: permission denied"),
            ("GET /api/users/42 returned 404", "GET <URL> returned <NUM>"),
            ("at 2024-01-15T10:30:00.123+01:00 ok", "at <TIMESTAMP> ok"),
            ("at 2024/01/15 10:30:00 ok", "at <TIMESTAMP> ok"),
            ("on 2024-01-15, at 10:30:00Z", "on <TIMESTAMP>, at <TIMESTAMP>"),
            ("listening on [::1]:8080", "listening on [<IP>]:<NUM>"),
            ("peer fe80::1ff:fe23:4567:890a gone", "peer <IP> gone"),
            ("full 2001:0db8:85a3:0000:0000:8a2e:0370:7334", "full <IP>"),
            ("trace 4bf92f3577b34da6a3ce929d0e0e4736", "trace <HEX>"),
            ("flags 0xFF set", "flags <HEX> set"),
            ("ratio -3.5e-2 x=-7", "ratio <NUM> x=<NUM>"),
            ("user42 and 42nd and v1.2.3", "user42 and 42nd and v1.<NUM>"),
            ("5min 1h30m 100µs 2d", "<DURATION> <DURATION> <DURATION> <DURATION>"),
            ("deadbeef accepted 12345678", "<HEX> accepted <NUM>"),
            ("a/b and / and //", "a/b and / and //"),
            ("error: std::string::npos", "error: std::string::npos"),
            ("  lots   of\t\tspace \n", "lots of space"),
            ("héllo 5 wörld", "héllo <NUM> wörld"),
            ("key=value count=3 ratio=0.5", "key=value count=<NUM> ratio=<NUM>"),
            ("", ""),
        ])
    func masks(body: String, template: String) {
        #expect(BodyTemplater.template(body) == template)
    }

    @Test("caps the template at a number of Unicode scalars")
    func caps() {
        #expect(BodyTemplater.template(String(repeating: "x", count: 300)) == String(repeating: "x", count: 256))
        #expect(BodyTemplater.template(String(repeating: "é", count: 300)) == String(repeating: "é", count: 256))
        #expect(BodyTemplater.template("abc def", maxScalars: 4) == "abc")
        #expect(BodyTemplater.template(String(repeating: "1 ", count: 1_000), maxScalars: 10) == "<NUM> <NUM")
    }

    @Test("is stable: a template templates to itself")
    func idempotent() {
        for body in ["User 42 logged in from 10.0.0.7", "Payment 9f3c2a1b7e failed after 120ms", "GET /api/x?y=1 in 3ms"] {
            let once = BodyTemplater.template(body)
            #expect(BodyTemplater.template(once) == once)
        }
    }

    @Test("never crashes on arbitrary bytes")
    func arbitraryBytes() {
        var rng = SystemRandomNumberGenerator()
        var out: [UInt8] = []
        let alphabet = Array("0123456789abcdefABCDEF:./-@ xyzµ[]".utf8) + [0xC2, 0xB5, 0xFF, 0x00]
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? 0 }
            bytes.withUnsafeBytes { BodyTemplater.template($0, into: &out, maxScalars: 32) }
            #expect(out.count <= 32 * 4)
        }
    }

    @Test("the plain-word shortcut never changes a template (compared with every matcher tried on every token)")
    func shortcutIsExact() {
        var rng = SystemRandomNumberGenerator()
        var fast: [UInt8] = []
        var slow: [UInt8] = []
        let pieces = [
            "user", "deadbeef", "cafe", "fe80", "abcdef12", "http", "https", "a.b", "x_y", "mail", "ex-ample", "v1",
            "550e8400", "4bf92f3577b34da6", "e29b", ":", "::", "://", "@", ".", "-", "_", "%", "+", "/", " ", "1",
            "42", "0x1F", "ms", "KiB", "é", "com", "co", "2024-01-15", "10:30:00",
        ]
        for _ in 0..<20_000 {
            let body = (0..<Int.random(in: 1..<12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            var text = body
            text.withUTF8 { bytes in
                BodyTemplater.template(UnsafeRawBufferPointer(bytes), into: &fast, maxScalars: 256)
                BodyTemplater.template(UnsafeRawBufferPointer(bytes), into: &slow, maxScalars: 256, exhaustive: true)
            }
            #expect(fast == slow, "\(body)")
            if fast != slow { break }
        }
    }
}
