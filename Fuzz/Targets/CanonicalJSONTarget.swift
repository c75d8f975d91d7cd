/// Canonical JSON: whatever the strict parser accepts re-encodes canonically, the encoding parses
/// back to the same value, and encoding is idempotent.
func fuzzCanonicalJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    let encoded = CanonicalJSON.encode(value)
    guard let reparsed = try? JSONParser.parse(encoded) else { propertyBroken("the canonical encoding does not parse") }
    guard reparsed == value else { propertyBroken("the canonical encoding parses to another value") }
    guard CanonicalJSON.encode(reparsed) == encoded else { propertyBroken("canonical encoding is not idempotent") }
    guard CanonicalJSON.string(value).utf8.elementsEqual(encoded) else { propertyBroken("string and byte encodings differ") }
    return 0
}
