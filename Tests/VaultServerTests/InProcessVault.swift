import Foundation
import HTTPTypes
import HandoffDomain
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing
import VaultCrypto
import VaultPostgres
@testable import VaultServer
import VaultStore

extension Backend: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}

/// A vault in this process: a real SQLite store in a temporary data directory, the real router
/// and middleware, driven through HummingbirdTesting's router client (no sockets, no TLS). What
/// needs processes, TLS or signals is tested end to end in `EndToEndTests`.
struct InProcessVault {
    let directory: URL
    let store: any HandoffStore
    let api: VaultAPI
    /// The store's opener, closed (PostgreSQL's pool stopped) after `test`.
    let pool: TestStore
    let adminToken: String
    let generator: SealingKeyPair
    let generatorSigning: SigningKeyPair

    init(limits: APILimits = APILimits(refusalsPerWindow: 100_000), backend: Backend = .sqlite) async throws {
        let opened = try await TestStore(backend)
        directory = opened.directory
        store = opened.store
        pool = opened
        adminToken = opened.adminToken.withText { $0 }
        api = VaultAPI(store: store, publicURL: { "https://vault.test:8443" }, limits: limits)
        generator = try SealingKeyPair.generate()
        generatorSigning = try SigningKeyPair.generate()
        let context = OperationContext(principal: nil, remote: "local", requestId: "setup", now: Date())
        _ = try await store.setRecipientKey(generator.publicKey, signingKey: generatorSigning.publicKey, context: context)
    }

    /// Runs `body` with a client of the router; the vault's database pool stops afterwards.
    func test<Value>(_ body: @escaping @Sendable (Client) async throws -> Value) async throws -> Value {
        defer { pool.close() }
        let app = Application(router: api.router())
        return try await app.test(.router) { client in try await body(Client(client: client)) }
    }

    /// A request sender that speaks the API's JSON.
    struct Client: Sendable {
        let client: any TestClientProtocol

        /// Sends `body` (JSON, or raw bytes with `contentType`) with `token` as the bearer.
        func send(
            _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: JSONValue? = nil,
            raw: [UInt8]? = nil, contentType: String = "application/json", headers extra: HTTPFields = [:]
        ) async throws -> Answer {
            var headers: HTTPFields = [.accept: "application/json"]
            headers.append(contentsOf: extra)
            if let token { headers[.authorization] = "Bearer \(token)" }
            var buffer: ByteBuffer?
            if let bytes = raw ?? json.map(CanonicalJSON.encode) {
                headers[.contentType] = contentType
                buffer = ByteBuffer(bytes: bytes)
            }
            let response = try await client.execute(uri: path, method: method, headers: headers, body: buffer)
            return Answer(status: Int(response.status.code), headers: response.headers, body: Array(buffer: response.body))
        }

        /// Creates a handoff as `admin` and returns its invite.
        func invite(admin: String, customer: String = "Contoso") async throws -> InviteCode {
            let answer = try await send(.post, "/v1/handoffs", token: admin, json: ["customer": .string(customer), "expiresIn": "1d"])
            return try InviteCode(decoding: try CreatedInvite(json: try answer.json()).inviteCode)
        }

        /// Creates a role token as `admin`.
        func token(admin: String, role: Role) async throws -> IssuedToken {
            try IssuedToken(json: try await send(.post, "/v1/tokens", token: admin, json: ["role": .string(role.rawValue), "name": "test"]).json())
        }
    }

    /// A response.
    struct Answer: Sendable {
        let status: Int
        let headers: HTTPFields
        let body: [UInt8]

        func json() throws -> JSONValue { try JSONParser.parse(body) }
        var contentType: String? { headers[.contentType] }
        /// The problem document's `code`, for a 4xx or 5xx.
        var problemCode: String? { (try? json())?.objectValue?["code"]?.stringValue }
    }

    /// A sealed submission body for `invite`, from the valid minimal fixture.
    static func submission(for invite: InviteCode) throws -> JSONValue {
        let document = try Data(contentsOf: TestPaths.valuesFixtures.appendingPathComponent("valid-minimal.json"))
        let values = try HandoffValues.validate(document: Array(document))
        let sealed = try SealedPayload(handoffId: invite.handoffId, sealedAt: "2026-11-26T12:00:00Z", values: values).seal(to: invite.recipientKey)
        return ["sealed": .string(Base64.encode(sealed)), "recipientKeyId": .string(invite.recipientKey.keyId)]
    }
}
