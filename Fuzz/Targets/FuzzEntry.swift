import Foundation

/// The one libFuzzer entry point. Every target is built into one binary, so the domain is compiled
/// once rather than once per target (scripts/fuzz/parsers.sh, whose list of names this switch
/// follows); `HANDOFF_FUZZ_TARGET` names the target a run fuzzes.
private let selectedTarget: @Sendable (UnsafePointer<UInt8>, Int) -> CInt = {
    let name = ProcessInfo.processInfo.environment["HANDOFF_FUZZ_TARGET"] ?? ""
    switch name {
    case "canonical-json": return fuzzCanonicalJSON
    case "values": return fuzzValues
    case "connection-string": return fuzzConnectionString
    case "invite-code": return fuzzInviteCode
    case "signed-note": return fuzzSignedNote
    default: fatalError("HANDOFF_FUZZ_TARGET names no fuzz target: \"\(name)\"")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    selectedTarget(data, size)
}
