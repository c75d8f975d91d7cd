/// The values document: every input gets a verdict; accepted values survive a round trip through
/// their JSON; no problem text quotes the connection string's access key (checked differentially,
/// see `AccessKeyCanary`).
func fuzzValues(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    do {
        let values = try HandoffValues.validate(document: bytes)
        guard let again = try? HandoffValues.validate(values.jsonValue) else { propertyBroken("accepted values do not validate again") }
        guard again == values else { propertyBroken("accepted values change on a round trip") }
    } catch {
        guard !error.problems.isEmpty else { propertyBroken("a refusal without problems") }
        guard let document = try? JSONParser.parse(bytes), var members = document.objectValue,
              let connection = members["acsConnectionString"]?.stringValue
        else { return 0 }
        let replaced = AccessKeyCanary.replacing(in: connection)
        members["acsConnectionString"] = .string(replaced.text)
        do {
            _ = try HandoffValues.validate(.object(members))
        } catch let other {
            if AccessKeyCanary.leaks(replaced.keys, messages: texts(other), original: texts(error)) {
                propertyBroken("a problem quotes the access key")
            }
        }
    }
    return 0
}

private func texts(_ error: ValuesInvalid) -> [String] {
    error.problems.flatMap { [$0.field, $0.message, $0.hint] }
}
