import Foundation
import HandoffDomain
import TestSupport
import Testing

@Suite("Canonical JSON")
struct CanonicalJSONTests {
    static let script = TestPaths.repository.appendingPathComponent("scripts/interop/sealed_payload.py").path

    /// The fixtures that are plain JSON texts: not the broken one, and not those starting with a
    /// byte order mark (a document-level allowance of the values rules, not part of JSON).
    static func jsonFixtures() -> [String] {
        TestPaths.valueFixtureNames().filter { name in
            let bytes = (try? Data(contentsOf: TestPaths.valuesFixtures.appendingPathComponent(name))) ?? Data()
            return name != "invalid-not-json.json" && !bytes.starts(with: [0xEF, 0xBB, 0xBF])
        } + ["expected.json"]
    }

    @Test("Python's json.dumps(sort_keys, compact, ensure_ascii=False) yields the same bytes for every fixture",
          arguments: jsonFixtures())
    func matchesPython(name: String) async throws {
        let url = TestPaths.valuesFixtures.appendingPathComponent(name)
        let ours = CanonicalJSON.encode(try JSONParser.parse(Array(try Data(contentsOf: url))))
        let python = try await ProcessRunner.python([Self.script, "canonical", url.path])
        try #require(python.status == 0, "\(python.standardError)")
        #expect(ours == Array(python.standardOutput.utf8))
    }

    @Test("Escapes are minimal and match Python for control characters, quotes, slashes and non-ASCII")
    func escapes() async throws {
        let tricky: JSONValue = [
            "z": "tab\there \"quoted\" back\\slash / slash",
            "a": "\u{08}\u{0C}\n\r\u{01}\u{1F}\u{7F} é ∑ 😀",
            "m": [1, -2, 9_007_199_254_740_993, true, false, nil, [:], []],
        ]
        let ours = CanonicalJSON.encode(tricky)
        #expect(String(decoding: ours, as: UTF8.self)
            == #"{"a":"\b\f\n\r\u0001\u001f\#u{7F} é ∑ 😀","m":[1,-2,9007199254740993,true,false,null,{},[]],"z":"tab\there \"quoted\" back\\slash / slash"}"#)
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("tricky.json")
        try Data(ours).write(to: file)
        let python = try await ProcessRunner.python([Self.script, "canonical", file.path])
        #expect(Array(python.standardOutput.utf8) == ours)
        #expect(try JSONParser.parse(ours) == tricky)
    }
}

@Suite("Strict JSON parser")
struct JSONParserTests {
    @Test("Refuses what two parsers could read differently", arguments: [
        #"{"a":1,"a":2}"#, #"{"a":1.5}"#, #"{"a":1e3}"#, #"{"a":01}"#, #"[1,]"#, #"{"a":1,}"#,
        #""\ud800""#, #""\udc00x""#, "\"\u{01}\"", #"{"a" 1}"#, #"[1] x"#, "", "  ", #"{'a':1}"#,
        #"[99999999999999999999]"#, #""\x""#, #"tru"#, #"{"a":"b"#,
    ])
    func refuses(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test("Refuses invalid UTF-8 and nesting deeper than the limit")
    func refusesBytes() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0xEF, 0xBB, 0xBF, 0x7B, 0x7D]) }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect((try? JSONParser.parse(fine)) != nil)
    }

    @Test("Reads escapes, surrogate pairs and integers")
    func reads() throws {
        #expect(try JSONParser.parse(#" {"k" : ["\u00e9\ud83d\ude00\/\n", -0, 42, null]} "#)
            == ["k": ["é😀/\n", 0, 42, nil]])
        #expect(try JSONParser.parse("-9223372036854775808") == .integer(Int64.min))
    }
}
