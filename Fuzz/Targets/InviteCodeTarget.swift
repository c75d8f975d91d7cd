/// The one refusal message, taken from an input that is certainly not an invite.
private let refusal: String = {
    do {
        _ = try InviteCode(decoding: "")
        propertyBroken("the empty text decodes")
    } catch {
        return String(describing: error)
    }
}()

/// The invite code: only the canonical form decodes, so a decoded invite encodes back to exactly
/// the text given (once cleaned of what pasting adds), and every refusal is one fixed message, so
/// none can quote the token.
func fuzzInviteCode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = FuzzInput.text(FuzzInput.bytes(data, size)) else { return 0 }
    do {
        let invite = try InviteCode(decoding: text)
        let trimmed = PastedCredential.cleaned(text)
        guard invite.encoded() == trimmed else { propertyBroken("a decoded invite does not encode back to its text") }
        guard (try? InviteCode(decoding: invite.encoded())) == invite else { propertyBroken("an encoded invite does not decode") }
    } catch let error as FormatError {
        guard error.code == .inviteMalformed else { propertyBroken("an unexpected error code \(error.code)") }
        guard String(describing: error) == refusal else { propertyBroken("a refusal that depends on the input") }
    } catch {
        propertyBroken("an error that is not a FormatError: \(error)")
    }
    return 0
}
