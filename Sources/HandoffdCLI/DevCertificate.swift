import Foundation
import VaultStore

/// A self-signed certificate for `localhost` and `127.0.0.1`, made with the `openssl` tool, for
/// development and tests. The CLI trusts it with `--ca-file DIR/tls/cert.pem`.
enum DevCertificate {
    static func generate(directory: String) throws -> (certificate: String, key: String) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let certificate = "\(directory)/cert.pem"
        let key = "\(directory)/key.pem"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "825", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
            "-addext", "keyUsage=critical,digitalSignature,keyCertSign",
            "-addext", "extendedKeyUsage=serverAuth",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw SettingsError("cannot run openssl to make a development certificate; install it (apt-get install openssl)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SettingsError("openssl could not make a development certificate")
        }
        chmod(key, 0o600)
        return (certificate, key)
    }
}
