/// One thing wrong with a values document: which field, what is wrong, and how to fix it in the
/// words of the deployment steps.
///
/// Messages never quote the ACS connection string or its access key.
public struct ValidationProblem: Equatable, Sendable {
    /// The field's JSON name, or `"$"` for the document as a whole.
    public let field: String
    /// What is wrong.
    public let message: String
    /// What to do, where to find the right value.
    public let hint: String

    /// Creates a problem.
    public init(field: String, message: String, hint: String) {
        self.field = field
        self.message = message
        self.hint = hint
    }

    /// The problem as the `--json` output and HTTP problem documents show it.
    public var jsonValue: JSONValue {
        .object(["field": .string(field), "message": .string(message), "hint": .string(hint)])
    }
}

/// A values document that failed validation, with every problem found.
public struct ValuesInvalid: Error, Equatable, Sendable {
    /// Every problem, in field order.
    public let problems: [ValidationProblem]

    /// Creates the error; `problems` is never empty in practice.
    public init(problems: [ValidationProblem]) {
        self.problems = problems
    }
}

/// What a single rule found wrong, as phrases that the caller prefixes with the field's name.
struct RuleViolation: Error, Equatable {
    let messages: [String]

    init(_ messages: [String]) { self.messages = messages }
    init(_ message: String) { self.messages = [message] }
}
