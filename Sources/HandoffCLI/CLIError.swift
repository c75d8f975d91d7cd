import HandoffDomain
import TeamsPackage
import VaultClient
import VaultCrypto

/// Everything a `handoff` command can fail with. Each case maps to one exit status and one message
/// in `exitStatus` and `message`; nothing else in the CLI decides exit codes.
public enum CLIError: Error, Sendable {
    /// The command line or an input file could not be used.
    case usage(String)
    /// The values broke the rules; every problem is listed.
    case valuesInvalid(ValuesInvalid, source: String)
    /// Input data other than the values (an icon, say) is unusable.
    case dataInvalid(String)
    /// An output file could not be written.
    case cannotCreate(String)
    /// A wire format or crypto check failed.
    case verification(String)
    /// The server could not be reached or failed.
    case unavailable(String)
    /// The credential does not allow this.
    case notAllowed(String)

    /// The sysexits code for this failure.
    public var exitStatus: ExitStatus {
        switch self {
        case .usage: return .usage
        case .valuesInvalid, .dataInvalid: return .dataInvalid
        case .cannotCreate: return .cannotCreate
        case .verification: return .protocolFailure
        case .unavailable: return .unavailable
        case .notAllowed: return .notAllowed
        }
    }

    /// What the user reads on standard error, ending with what to do next.
    public var message: String {
        switch self {
        case .usage(let text): return "handoff: \(text)"
        case .valuesInvalid(let invalid, let source):
            let count = invalid.problems.count
            var lines = ["\(source): \(count) problem\(count == 1 ? "" : "s") found"]
            for problem in invalid.problems {
                lines.append("  \(problem.field): \(problem.message)")
                lines.append("    fix: \(problem.hint)")
            }
            return lines.joined(separator: "\n")
        case .dataInvalid(let text): return "handoff: \(text)"
        case .cannotCreate(let text): return "handoff: \(text); check the folder exists and is writable"
        case .verification(let text): return "handoff: verification failed: \(text)"
        case .unavailable(let text): return "handoff: \(text); check --server, the network or an HTTPS proxy, then try again"
        case .notAllowed(let text): return "handoff: not allowed: \(text); check the token or invite you are using"
        }
    }
}

extension CLIError {
    /// Maps lower layers' errors onto the CLI's, in this one place.
    static func from(_ error: any Error) -> CLIError {
        switch error {
        case let error as CLIError: return error
        case let error as FormatError: return .verification(error.reason)
        case let error as ClientError:
            switch error.code {
            case .unreachable, .serverFailure: return .unavailable(error.reason)
            case .untrustedCertificate, .malformedResponse: return .verification(error.reason)
            case .notAllowed: return .notAllowed(error.reason)
            case .rejected: return .dataInvalid(error.reason)
            case .unusableSetting: return .usage(error.reason)
            }
        case let error as TeamsPackageError:
            switch error.code {
            case .iconInvalid: return .dataInvalid(error.reason)
            case .iconUnreadable, .optionInvalid: return .usage(error.reason)
            case .writeFailed: return .cannotCreate(error.reason)
            }
        case let error as CryptoError: return .verification(error.reason)
        default: return .usage(String(describing: error))
        }
    }
}
