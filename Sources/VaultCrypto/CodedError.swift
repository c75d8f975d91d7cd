/// The shape the modules' errors share (`CryptoError`, `FormatError`, `StoreError`,
/// `TeamsPackageError`): a stable code, part of the contract, and a reason for people that never
/// holds secret bytes. Two errors are equal when their codes are: callers and tests match on the
/// code, never on the wording, which may improve without breaking anyone.
package protocol CodedError: Error, Equatable, Sendable, CustomStringConvertible {
    associatedtype Code: RawRepresentable & Sendable & Equatable where Code.RawValue == String
    /// The stable code.
    var code: Code { get }
    /// What is wrong, for people.
    var reason: String { get }
}

extension CodedError {
    package static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    package var description: String { "\(code.rawValue): \(reason)" }
}
