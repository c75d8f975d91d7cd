import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// The TLS face, as a client that tries everything would see it: `openssl s_client`.
@Suite("TLS policy")
struct TLSPolicyTests {
    static func handshake(port: String, caFile: String, _ options: [String]) async throws -> ProcessResult {
        try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/openssl"),
                              ["s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", caFile] + options, input: Data())
    }

    @Test("TLS 1.0 and 1.1 are refused, 1.2 and 1.3 accepted with AEAD suites only; HSTS is sent")
    func protocols() async throws {
        let server = try await ServerHarness()
        try await server.start()
        let port = try #require(server.url.split(separator: ":").last.map(String.init))
        // Debian's client refuses old protocols by itself unless its security level is lowered.
        for old in ["-tls1", "-tls1_1"] {
            let result = try await Self.handshake(port: port, caFile: server.caFile, [old, "-cipher", "DEFAULT@SECLEVEL=0"])
            #expect(result.status != 0, "\(old) was accepted")
            #expect(result.standardOutput.contains("Cipher is (NONE)"))
        }
        let tls12 = try await Self.handshake(port: port, caFile: server.caFile, ["-tls1_2"])
        #expect(tls12.status == 0)
        #expect(tls12.standardOutput.contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-"))
        #expect(tls12.standardOutput.contains("Verify return code: 0 (ok)"))
        let tls13 = try await Self.handshake(port: port, caFile: server.caFile, ["-tls1_3"])
        #expect(tls13.status == 0)
        #expect(tls13.standardOutput.contains("New, TLSv1.3, Cipher is TLS_"))
        for cbc in ["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "AES128-SHA"] {
            let result = try await Self.handshake(port: port, caFile: server.caFile, ["-tls1_2", "-cipher", cbc + ":@SECLEVEL=0"])
            #expect(result.status != 0, "the non-AEAD suite \(cbc) was accepted")
        }
        try await TestHTTP.with(caFile: server.caFile) { http in
            let answer = try await http.send("GET", server.url + "/healthz")
            #expect(answer.headers.first(name: "Strict-Transport-Security") == "max-age=31536000")
        }
    }
}
