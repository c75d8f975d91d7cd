import Foundation
import HandoffDomain

/// What `handoff generator run` has done, kept in `DIR/agent-state.json` (0600, replaced
/// atomically and durably after every step) so that after a crash it resumes where it was: the
/// event id its stream resumes after, and per handoff the submission in hand and the step it
/// reached. The server's state is the other half of the truth (see `GeneratorAgent`). It holds
/// ids, steps, times and error messages — never a value.
struct AgentState: Equatable {
    /// How far one handoff's submission got.
    enum Step: String {
        /// Nothing pulled yet (an attempt failed before).
        case waiting
        /// Fetched, opened, checked and written to the folder.
        case pulled
        /// The package was built and the generator acknowledged it.
        case acknowledged
        /// Delivered (or, for a Step 10 Object ID, merged and acknowledged): nothing left to do.
        case done
    }

    /// One handoff's progress.
    struct Progress: Equatable {
        /// The submission in hand (nil while `waiting`).
        var submissionId: String?
        /// Whether the submission was a Step 10 Object ID (merged; no package is built from it).
        var objectId: Bool
        var step: Step
        /// The delivery's sequence, once delivered.
        var sequence: Int64?
        /// Failed attempts at the current step in a row, and when the next may start.
        var failures: Int
        var retryAt: Date?
        var lastError: String?

        var json: JSONValue {
            var members: [String: JSONValue] = [
                "objectId": .bool(objectId), "step": .string(step.rawValue), "failures": .integer(Int64(failures)),
            ]
            if let submissionId { members["submissionId"] = .string(submissionId) }
            if let sequence { members["sequence"] = .integer(sequence) }
            if let retryAt { members["retryAt"] = .timestamp(retryAt) }
            if let lastError { members["lastError"] = .string(lastError) }
            return .object(members)
        }

        init(submissionId: String?, objectId: Bool, step: Step) {
            self.submissionId = submissionId
            self.objectId = objectId
            self.step = step
            failures = 0
        }

        init(json: JSONValue) throws {
            let object = try WireObject(json, "a handoff's progress")
            submissionId = object.has("submissionId") ? try object.uuid("submissionId") : nil
            objectId = try object.bool("objectId")
            step = try object.enumeration("step")
            sequence = object.has("sequence") ? try object.integer("sequence") : nil
            failures = Int(try object.integer("failures"))
            retryAt = try object.optionalTimestamp("retryAt")
            lastError = try object.optionalString("lastError")
        }
    }

    static let version: Int64 = 1

    /// The last event id the stream delivered (nil: none yet; the stream starts from now, and
    /// the first round lists what waits).
    var cursor: Int64?
    /// Progress by handoff id.
    var handoffs: [String: Progress] = [:]

    /// `DIR/agent-state.json`.
    static func path(folder: String) -> String { "\(folder)/agent-state.json" }

    /// Reads the state file in `folder`; a missing one is a fresh start, a damaged one an error
    /// (starting over could deliver twice).
    static func read(folder: String) throws -> AgentState {
        let path = path(folder: folder)
        guard let bytes = FileManager.default.contents(atPath: path) else { return AgentState() }
        do {
            let object = try WireObject(try JSONParser.parse(Array(bytes)), "the agent's state")
            guard try object.integer("v") == version else { throw FormatError(.answerMalformed, "it is of another version") }
            var state = AgentState()
            state.cursor = object.has("cursor") ? try object.integer("cursor") : nil
            for (id, progress) in try object.object("handoffs") {
                guard HandoffValues.isHandoffId(id) else { throw FormatError(.answerMalformed, "it names a handoff id that is not one") }
                state.handoffs[id] = try Progress(json: progress)
            }
            return state
        } catch let error as FormatError {
            throw CLIError.dataInvalid("\(path) is damaged (\(error.reason)); move it away only if you know which handoffs were delivered")
        }
    }

    /// Writes the state file into `folder`, atomically and durably.
    func write(folder: String) throws {
        var members: [String: JSONValue] = ["v": .integer(Self.version), "handoffs": .object(handoffs.mapValues(\.json))]
        if let cursor { members["cursor"] = .integer(cursor) }
        try OutputFile.writePrivate(CanonicalJSON.encode(.object(members)) + [0x0A], to: Self.path(folder: folder))
    }
}
