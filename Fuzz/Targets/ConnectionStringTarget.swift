/// The ACS connection string: every input gets a verdict, an accepted one names a lowercase host
/// taken from its endpoint, and no problem quotes the access key.
func fuzzConnectionString(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = FuzzInput.text(FuzzInput.bytes(data, size)) else { return 0 }
    switch ACSConnectionString.parse(text) {
    case .success(let parsed):
        guard parsed.endpointHost == parsed.endpointHost.lowercased(), AccessKeyCanary.quotes(text.lowercased(), Array(parsed.endpointHost.utf8)) else {
            propertyBroken("the host is not the endpoint's, lowercased")
        }
    case .failure(let violation):
        guard !violation.messages.isEmpty else { propertyBroken("a refusal without problems") }
        let replaced = AccessKeyCanary.replacing(in: text)
        guard case .failure(let other) = ACSConnectionString.parse(replaced.text) else { return 0 }
        if AccessKeyCanary.leaks(replaced.keys, messages: other.messages, original: violation.messages) {
            propertyBroken("a problem quotes the access key")
        }
    }
    return 0
}
