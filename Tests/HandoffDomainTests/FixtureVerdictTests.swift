import Foundation
import HandoffDomain
import TestSupport
import Testing

/// Every fixture in `../shared/fixtures/values/` gets the verdict in `expected.json`, under the
/// rule of the fixtures' README: all `fields` reported, nothing outside `fields` + `mayAlsoReport`.
@Suite("Fixture verdicts (library)")
struct FixtureVerdictTests {
    struct Expectation {
        let valid: Bool
        let fields: Set<String>
        let mayAlsoReport: Set<String>
    }

    static func expectations() throws -> [String: Expectation] {
        let url = TestPaths.valuesFixtures.appendingPathComponent("expected.json")
        let json = try JSONParser.parse(Array(try Data(contentsOf: url)))
        var result: [String: Expectation] = [:]
        for (name, entry) in json.objectValue ?? [:] {
            let members = entry.objectValue ?? [:]
            let strings = { (key: String) in Set((members[key]?.arrayValue ?? []).compactMap(\.stringValue)) }
            result[name] = Expectation(
                valid: members["valid"] == .bool(true), fields: strings("fields"), mayAlsoReport: strings("mayAlsoReport")
            )
        }
        return result
    }

    @Test("The fixture folder and expected.json list the same files")
    func everyFixtureHasAVerdict() throws {
        let names = TestPaths.valueFixtureNames()
        #expect(names.count >= 20)
        #expect(Set(names) == Set(try Self.expectations().keys))
    }

    @Test("Each fixture gets its expected verdict", arguments: TestPaths.valueFixtureNames())
    func verdict(name: String) throws {
        let expectation = try #require(try Self.expectations()[name])
        let document = Array(try Data(contentsOf: TestPaths.valuesFixtures.appendingPathComponent(name)))
        do {
            _ = try HandoffValues.validate(document: document)
            #expect(expectation.valid, "\(name) was accepted but should fail on \(expectation.fields.sorted())")
        } catch {
            #expect(!expectation.valid, "\(name) was refused: \(error.problems)")
            let reported = Set(error.problems.map(\.field))
            #expect(expectation.fields.isSubset(of: reported), "\(name): reported \(reported.sorted())")
            #expect(reported.isSubset(of: expectation.fields.union(expectation.mayAlsoReport)), "\(name): reported \(reported.sorted())")
            for problem in error.problems {
                #expect(!problem.message.isEmpty && !problem.hint.isEmpty)
            }
        }
    }

    @Test("No message or hint ever quotes the connection string or its access key", arguments: TestPaths.valueFixtureNames())
    func accessKeyNeverEchoed(name: String) throws {
        let document = Array(try Data(contentsOf: TestPaths.valuesFixtures.appendingPathComponent(name)))
        guard let members = try? JSONParser.parse(document).objectValue,
              let connection = members["acsConnectionString"]?.stringValue
        else { return }
        let secrets = connection.split(separator: ";").compactMap { pair -> String? in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "accesskey" && parts[1].count >= 4 ? String(parts[1]) : nil
        }
        do {
            _ = try HandoffValues.validate(document: document)
        } catch {
            for problem in error.problems {
                let text = problem.message + problem.hint
                #expect(!text.contains(connection))
                for secret in secrets { #expect(!text.contains(secret)) }
            }
        }
    }
}
