import HandoffDomain
import SignIn
import TeamsPackage
import VaultClient
import VaultCrypto

/// Everything a `handoff` command can fail with, and the one place that turns each failure into a
/// message and an exit status. Messages name things in the words of the Azure portal and the
/// deployment steps, name the URL where the network was involved, say whether anything was sent
/// or changed, and end with what to do next; they never show a library's type names, errno values
/// or HTTP status numbers (the server's problem code is kept for `--json`).
package enum CLIError: Error, Sendable {
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
    /// The server could not be reached, or answered with a refusal or a failure.
    case server(ClientError)
    /// The Microsoft sign-in was declined, expired or failed.
    case signIn(SignInError)
    /// An error nothing here expected: a bug.
    case unexpected

    /// The sysexits code for this failure.
    package var exitStatus: ExitStatus {
        switch self {
        case .usage: return .usage
        case .valuesInvalid, .dataInvalid: return .dataInvalid
        case .cannotCreate: return .cannotCreate
        case .verification: return .protocolFailure
        case .signIn(let error): return error.code == .failed ? .protocolFailure : .notAllowed
        case .unexpected: return .software
        case .server(let error):
            switch error.code {
            case .unreachable, .noTLS, .connectionLost, .rateLimited, .serverFailure: return .unavailable
            case .untrustedCertificate, .malformedResponse: return .protocolFailure
            case .notAuthenticated, .notAllowed: return .notAllowed
            case .notReady: return .temporaryFailure
            case .rejected: return .dataInvalid
            case .unusableSetting: return .usage
            }
        }
    }

    /// What the user reads on standard error, ending with what to do next.
    package var message: String {
        switch self {
        case .usage(let text): return "handoff: \(text)"
        case .valuesInvalid(let invalid, let source):
            let count = invalid.problems.count
            var lines = ["\(source): \(count) problem\(count == 1 ? "" : "s") found; nothing was sent"]
            for problem in invalid.problems {
                lines.append("  \(problem.field): \(problem.message)")
                lines.append("    fix: \(problem.hint)")
            }
            return lines.joined(separator: "\n")
        case .dataInvalid(let text): return "handoff: \(text)"
        case .cannotCreate(let text): return "handoff: \(text)"
        case .verification(let text): return "handoff: verification failed: \(text); nothing was written"
        case .signIn(let error):
            switch error.code {
            case .declined: return "handoff: \(error.reason). Nothing was sent. Sign in again with an account of your organisation, or ask your Altoura contact if this invite should not ask for it."
            case .expired: return "handoff: \(error.reason). Nothing was sent. Run the command again and finish the sign-in within the time shown."
            case .failed: return "handoff: \(error.reason). Nothing was sent."
            }
        case .unexpected: return "handoff: an unexpected error stopped the command; nothing more was done. Please report it to Altoura."
        case .server(let error): return "handoff: " + Self.explain(error)
        }
    }

    /// The server or network failure in plain words.
    static func explain(_ error: ClientError) -> String {
        let url = error.url ?? "the server"
        let invite = error.forInvite
        switch error.code {
        case .unreachable:
            let what = switch error.connectFailure ?? .other {
            case .refused: "could not connect to \(url): nothing answers there"
            case .unknownHost: "could not find the server of \(url): its name does not resolve"
            case .timedOut: "could not connect to \(url): no answer within 10 seconds"
            case .other: "could not connect to \(url)"
            }
            return what + ". Nothing was sent. " + (invite
                ? "Check this computer's network connection; if your organisation sends outbound HTTPS through a proxy, set HTTPS_PROXY to it (for example http://proxy.example:3128). If it persists, tell your Altoura contact."
                : "Check the address (--server or HANDOFF_SERVER), that handoffd is running, and the network or HTTPS_PROXY.")
        case .noTLS:
            return "\(url) did not set up a secure (TLS) connection: it may be a plain-HTTP port, or not a Handoff Vault server. Nothing was sent. "
                + (invite ? "Check that you used the invite Altoura sent you; if it persists, tell your Altoura contact." : "Check the address and port.")
        case .untrustedCertificate:
            return "the certificate of \(url) is not trusted on this computer, so nothing was sent. " + (invite
                ? "If your organisation inspects HTTPS traffic, ask your IT team to trust its certificate authority on this computer; otherwise tell your Altoura contact."
                : "Give the server's certificate authority with --ca-file (or HANDOFF_CA_FILE).")
        case .connectionLost:
            return "the connection to \(url) broke before the server answered; the request may have arrived. "
                + (invite ? "Run the command again: submitting again is safe, the latest submission wins." : "Run the command again.")
        case .notAuthenticated:
            return invite
                ? "your invite is no longer accepted: it has expired, or Altoura revoked it. Nothing was changed. Ask your Altoura contact for a new invite."
                : "the server did not accept the token (unknown, revoked or expired). Nothing was changed. Check --token-file or HANDOFF_TOKEN."
        case .notAllowed:
            return invite
                ? "your invite does not allow this. Nothing was changed."
                : "not allowed: \(error.reason). Nothing was changed. This needs a token of another role."
        case .notReady:
            return "not ready yet: \(error.reason). Nothing was written. Altoura delivers the package after it has built it; "
                + "try again later (handoff status says where things stand)."
        case .rateLimited:
            let wait = error.retryAfter.map { "for the next \($0) seconds" } ?? "for a minute"
            return "the server refuses requests from this address \(wait), after too many refused ones. Nothing was changed. Wait, then try again."
        case .rejected:
            return "the server refused the request: \(error.reason). Nothing was changed."
        case .serverFailure:
            return "the server at \(url) could not handle the request; nothing was changed. Try again later; "
                + (invite ? "if it persists, tell your Altoura contact." : "if it persists, check handoffd's log.")
        case .malformedResponse:
            return "verification failed: the answer from \(url) is not what the API promises (\(error.reason)); nothing was written."
        case .unusableSetting:
            return "\(error.reason). Nothing was sent; correct it and run the command again."
        }
    }
}

extension CLIError {
    /// Maps lower layers' errors onto the CLI's, in this one place.
    static func from(_ error: any Error) -> CLIError {
        switch error {
        case let error as CLIError: return error
        case let error as FormatError: return .verification(error.reason)
        case let error as ClientError: return .server(error)
        case let error as SignInError: return .signIn(error)
        case let error as TeamsPackageError:
            switch error.code {
            case .iconInvalid: return .dataInvalid(error.reason)
            case .iconUnreadable, .optionInvalid: return .usage(error.reason)
            case .writeFailed: return .cannotCreate(error.reason)
            case .notATeamsPackage: return .verification(error.reason)
            }
        case let error as CryptoError: return .verification(error.reason)
        default: return .unexpected
        }
    }
}
