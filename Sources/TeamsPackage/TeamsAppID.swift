import Crypto
import VaultCrypto

/// The app's stable `id` per tenant: a name-based UUID (RFC 9562 version 5) of the lowercase
/// tenant ID in Handoff Vault's namespace, so that a rebuilt package replaces the uploaded app.
package enum TeamsAppID {
    /// Handoff Vault's fixed UUID namespace for Teams app ids. Changing it changes every app id.
    package static let namespace = "3d0c5c62-8f0e-4c1b-9a57-6b2f1e4d7a90"

    /// The app id for `tenantId`.
    package static func forTenant(_ tenantId: String) -> String {
        var input = uuidBytes(namespace)
        input += Array(tenantId.lowercased().utf8)
        // UUID v5 is defined over SHA-1; here it derives an identifier, not a security property.
        var bytes = Array(Insecure.SHA1.hash(data: input).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return format(bytes)
    }

    private static func uuidBytes(_ text: String) -> [UInt8] {
        let hex = text.utf8.filter { $0 != UInt8(ascii: "-") }
        return stride(from: 0, to: hex.count, by: 2).map {
            UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16)!
        }
    }

    private static func format(_ bytes: [UInt8]) -> String {
        let hex = Hex.encode(bytes)
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(hex.dropFirst(range.lowerBound).prefix(range.count))
        }
        return parts.joined(separator: "-")
    }
}
