import ArgumentParser
import HandoffDomain

/// A handoff id typed on the command line: a UUID, in either case (it is lowercased for use).
enum HandoffIdArgument {
    /// Refuses anything but a UUID before a command does anything.
    static func check(_ text: String) throws {
        guard HandoffValues.isHandoffId(text.lowercased()) else {
            throw ValidationError("a handoff id is a UUID like 5b0c2a8e-7d1f-4c39-9a6e-2f4b8d1c0e77")
        }
    }
}
