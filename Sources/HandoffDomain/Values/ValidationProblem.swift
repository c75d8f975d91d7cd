/// One thing wrong with a values document: which field, what is wrong, and how to fix it in the
/// words of the deployment steps.
///
/// Messages never quote the ACS connection string or its access key.
package struct ValidationProblem: Equatable, Sendable {
    /// The field's JSON name, or `"$"` for the document as a whole.
    package let field: String
    /// What is wrong.
    package let message: String
    /// What to do, where to find the right value.
    package let hint: String

    /// Creates a problem.
    package init(field: String, message: String, hint: String) {
        self.field = field
        self.message = message
        self.hint = hint
    }

    /// The problem as the `--json` output and HTTP problem documents show it.
    package var jsonValue: JSONValue {
        .object(["field": .string(field), "message": .string(message), "hint": .string(hint)])
    }
}

/// A values document that failed validation, with every problem found.
package struct ValuesInvalid: Error, Equatable, Sendable {
    /// Every problem, in field order.
    package let problems: [ValidationProblem]

    /// Creates the error; `problems` is never empty in practice.
    package init(problems: [ValidationProblem]) {
        self.problems = problems
    }
}

/// What a single rule found wrong, as phrases that the caller prefixes with the field's name.
struct RuleViolation: Error, Equatable {
    let messages: [String]

    init(_ messages: [String]) { self.messages = messages }
    init(_ message: String) { self.messages = [message] }
}
