import Foundation
import CoreFoundation  // struct stat: Swift attributes it to CoreFoundation on Linux (MemberImportVisibility)

/// Reads an input named on the command line: a path, or `-` for standard input.
enum InputFile {
    /// The bytes of `path` (or stdin for `-`), refusing anything larger than `limit`.
    static func read(_ path: String, limit: Int) throws -> [UInt8] {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw CLIError.usage("\(path) does not exist (or cannot be opened); check the file name")
            }
            guard info.st_mode & S_IFMT != S_IFDIR else {
                throw CLIError.usage("\(path) is a folder; give the file inside it")
            }
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw CLIError.usage("\(path) cannot be read; check its permissions")
            }
            handle = opened
        }
        defer { if path != "-" { try? handle.close() } }
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw CLIError.usage("\(path == "-" ? "standard input" : path) could not be read to the end")
        }
        guard data.count <= limit else {
            throw CLIError.usage("\(path) is larger than \(limit / 1024) KiB; is it the right file?")
        }
        return [UInt8](data)
    }
}
