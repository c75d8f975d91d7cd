import Foundation

/// Reads an input named on the command line: a path, or `-` for standard input.
enum InputFile {
    /// The bytes of `path` (or stdin for `-`), refusing anything larger than `limit`.
    static func read(_ path: String, limit: Int) throws -> [UInt8] {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw CLIError.usage("cannot read \(path): no such file, or not readable")
            }
            handle = opened
        }
        defer { if path != "-" { try? handle.close() } }
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw CLIError.usage("cannot read \(path): \(error.localizedDescription)")
        }
        guard data.count <= limit else {
            throw CLIError.usage("\(path) is larger than \(limit / 1024) KiB")
        }
        return [UInt8](data)
    }
}
