#if canImport(Glibc)
import Glibc
#endif
import Foundation
import VaultCrypto

/// Questions on the controlling terminal, secrets without echo.
enum Terminal {
    /// Whether standard input is a terminal (prompts make sense).
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }

    /// Asks on /dev/tty and reads one line; with `secret`, echo is off while typing.
    static func ask(_ question: String, secret: Bool = false) throws -> String {
        let descriptor = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CLIError.usage("no terminal to ask on; give the value by file or environment instead")
        }
        defer { close(descriptor) }
        // Echo goes off before the question appears, and without discarding input (TCSANOW, not
        // TCSAFLUSH): an answer pasted or typed the moment the question shows must not be lost.
        var saved = termios()
        let canHideEcho = secret && tcgetattr(descriptor, &saved) == 0
        if canHideEcho {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(descriptor, TCSANOW, &quiet)
        }
        var prompt = Array(question.utf8)
        _ = write(descriptor, &prompt, prompt.count)
        defer {
            if canHideEcho {
                tcsetattr(descriptor, TCSANOW, &saved)
                _ = write(descriptor, "\n", 1)
            }
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(descriptor, &byte, 1) == 1, byte != 0x0A {
            if line.count < 64 * 1024 { line.append(byte) }
        }
        defer { SecretBytes.wipe(&line) }
        return String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }
}
