import Testing
@testable import API

@Suite("Query strings decode like HTML forms")
struct FormQueryTests {
    @Test("+ is a space, %XX a byte, the first value wins, bad escapes stay raw")
    func decoding() {
        let query = FormQuery(query: "service=my+service&x=%2B1%20%C3%A9&service=second&flag&empty=&bad=%ZZ&odd=%C3&k%3D=v%26w")
        #expect(query["service"] == "my service")
        #expect(query["x"] == "+1 é")
        #expect(query["flag"] == "")
        #expect(query["empty"] == "")
        #expect(query["bad"] == "%ZZ")
        #expect(query["odd"] == "%C3")
        #expect(query["k="] == "v&w")
        #expect(query["missing"] == nil)
        #expect(query.pairs.count == 8)
        #expect(FormQuery(query: "").pairs.isEmpty)
    }
}
