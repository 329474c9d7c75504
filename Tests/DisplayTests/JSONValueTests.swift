import XCTest
@testable import Display

final class JSONValueTests: XCTestCase {
    func testObjectsKeepKeyOrderAndIntegersStayIntegers() throws {
        let value = try JSONValue.parse(#"{"z": 1, "a": 2.5, "m": [true, null, "x"], "n": -0, "big": 12345678901234}"#)
        XCTAssertEqual(value.objectValue?.map(\.0), ["z", "a", "m", "n", "big"])
        XCTAssertEqual(value["z"], .int(1))
        XCTAssertEqual(value["a"], .double(2.5))
        XCTAssertEqual(value["big"]?.intValue, 12345678901234)
        XCTAssertEqual(value.serialized, #"{"z":1,"a":2.5,"m":[true,null,"x"],"n":0,"big":12345678901234}"#)
    }

    func testStringEscapesRoundTrip() throws {
        let text = "tab\there \"quoted\" back\\slash\nnewline \u{1} é 😀"
        let encoded = JSONValue.string(text).serialized
        XCTAssertEqual(try JSONValue.parse(encoded), .string(text))
        XCTAssertEqual(try JSONValue.parse(#""\ud83d\ude00 \u00e9""#), .string("😀 é"))
    }

    func testMalformedInputNamesThePosition() {
        for bad in ["{", "[1,]", #"{"a" 1}"#, "tru", #""open"#, "1 2", ""] {
            XCTAssertThrowsError(try JSONValue.parse(bad), bad) { error in
                XCTAssertTrue(error is JSONParseError, "\(bad): \(error)")
                XCTAssertTrue("\(error)".contains("invalid JSON at byte"), "\(error)")
            }
        }
    }

    func testDeepNestingIsRejectedNotACrash() {
        let deep = String(repeating: "[", count: 100_000)
        XCTAssertThrowsError(try JSONValue.parse(deep))
    }
}
