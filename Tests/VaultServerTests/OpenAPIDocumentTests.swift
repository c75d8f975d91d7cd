import Foundation
import HandoffDomain
import TestSupport
import Testing
import VaultCrypto
import VaultServer
import VaultStore

@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    @Test("The router and the OpenAPI document list exactly the same operations")
    func sameRoutes() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await DataDirectory(directory.path).initialize(
            environment: [:], keyName: "test", adminToken: try BearerToken.generate(for: .admin), now: Date()
        )
        let api = VaultAPI(store: store, publicURL: { "https://127.0.0.1:8443" })
        let routed = api.routedOperations()
        let documented = try VaultAPI.documentedOperations()
        #expect(routed.count >= 18)
        #expect(routed.subtracting(documented).isEmpty, "served but not documented: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented but not served: \(documented.subtracting(routed).sorted())")
    }

    @Test("The document's handoff states are the domain's, in its order (HandoffState is the one list)")
    func sameStates() throws {
        #expect(try VaultAPI.documentedEnum("HandoffState") == HandoffState.allCases.map(\.rawValue))
    }

    @Test("The document's event types are the domain's (HandoffEvent.Kind is the one list)")
    func sameEventTypes() throws {
        #expect(try VaultAPI.documentedEnum("HandoffEventType") == HandoffEvent.Kind.allCases.map(\.rawValue))
    }
}
