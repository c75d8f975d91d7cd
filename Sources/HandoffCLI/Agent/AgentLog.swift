import Foundation
import HandoffDomain

/// The agent's status lines on standard output, one per step of a handoff: for an operator to
/// read (`<time> <handoff id> (<customer>): <what happened>`), or with `--json` one JSON object
/// per line (`at`, `handoffId`, `customer`, `message`, `failure`). Ids, sizes, digests and
/// reasons — never a value, token or key.
struct AgentLog: Sendable {
    let json: Bool

    /// A step of one handoff.
    func step(_ handoff: HandoffSummary, _ message: String, failure: Bool = false) {
        let at = Timestamp.string(Date())
        if json {
            Console.json([
                "at": .string(at), "handoffId": .string(handoff.id), "customer": .string(handoff.customer), "message": .string(message), "failure": .bool(failure),
            ])
        } else {
            Console.out("\(at) \(handoff.id) (\(Console.escaped(handoff.customer))): \(message)")
        }
    }

    /// A line about the agent itself.
    func note(_ message: String) {
        let at = Timestamp.string(Date())
        json ? Console.json(["at": .string(at), "message": .string(message)]) : Console.out("\(at) agent: \(message)")
    }
}
