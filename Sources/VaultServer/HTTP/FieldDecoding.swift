import HandoffDomain
import VaultCrypto

/// The typed-throwing decoders the async route handlers need, behind synchronous, non-throwing
/// wrappers. Swift 6.3.1's optimizer crashes (LLVM CoroSplit, on the swifterror value) when a
/// release build of this module calls a typed `throws` function with `try?` inside an async
/// function; these keep such calls out of async code (a refusal is a nil, mapped by the caller).
enum FieldDecoding {
    static func base64(_ text: String) -> [UInt8]? { try? Base64.decode(text) }

    static func sealingKey(_ text: String) -> SealingPublicKey? {
        guard let bytes = base64(text) else { return nil }
        return try? SealingPublicKey(bytes: bytes)
    }

    static func signingKey(_ text: String) -> SigningPublicKey? {
        guard let bytes = base64(text) else { return nil }
        return try? SigningPublicKey(bytes: bytes)
    }

    static func jsonObject(_ bytes: [UInt8]) -> [String: JSONValue]? { try? JSONParser.parse(bytes).objectValue }
}
