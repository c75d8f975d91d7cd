/// The sysexits codes of DESIGN.md's CLI contract.
package enum ExitStatus: Int32, Sendable {
    case ok = 0
    /// EX_USAGE: the command was called wrongly (bad option, unreadable input file).
    case usage = 64
    /// EX_DATAERR: the values (or other input data) break the rules.
    case dataInvalid = 65
    /// EX_UNAVAILABLE: the server could not be reached.
    case unavailable = 69
    /// EX_SOFTWARE: an error this CLI did not expect (a bug to report).
    case software = 70
    /// EX_CANTCREAT: an output file could not be written.
    case cannotCreate = 73
    /// EX_TEMPFAIL: not possible yet; the same command later may succeed (the package before delivery).
    case temporaryFailure = 75
    /// EX_PROTOCOL: a receipt, signature, proof or format failed verification.
    case protocolFailure = 76
    /// EX_NOPERM: the credential does not allow this.
    case notAllowed = 77
}
