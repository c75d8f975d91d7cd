import Foundation

/// The two icons a Teams app package carries: a 192×192 colour PNG and a 32×32 outline PNG (white
/// on transparent).
package struct AppIcons: Sendable, Equatable {
    /// The names the icons have inside the package and in an `--icons` folder.
    package static let colorFileName = "color.png"
    package static let outlineFileName = "outline.png"

    /// The colour icon's PNG bytes.
    package let color: Data
    /// The outline icon's PNG bytes.
    package let outline: Data

    /// Checks both icons' size and kind.
    package init(color: Data, outline: Data) throws {
        try PNGHeader.check(color, name: Self.colorFileName, size: 192, needsAlpha: false)
        try PNGHeader.check(outline, name: Self.outlineFileName, size: 32, needsAlpha: true)
        self.color = color
        self.outline = outline
    }

    /// The icons shipped with Handoff Vault.
    package static func standard() -> AppIcons {
        // The embedded icons are generated and checked by the tests; decoding cannot fail.
        try! AppIcons(
            color: Data(base64Encoded: DefaultIcons.colorBase64)!,
            outline: Data(base64Encoded: DefaultIcons.outlineBase64)!
        )
    }

    /// Reads `color.png` and `outline.png` from `directory`.
    package static func load(from directory: URL) throws -> AppIcons {
        func read(_ name: String) throws -> Data {
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw TeamsPackageError(.iconUnreadable, "cannot read \(url.path): the icons folder needs \(colorFileName) and \(outlineFileName)")
            }
            return data
        }
        return try AppIcons(color: try read(colorFileName), outline: try read(outlineFileName))
    }
}

/// The PNG signature and IHDR chunk: enough to know an image's size and colour type.
struct PNGHeader: Equatable {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    let width: UInt32
    let height: UInt32
    /// PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA.
    let colorType: UInt8

    /// Reads the header, or nil when the bytes are not a PNG.
    init?(_ data: Data) {
        let bytes = [UInt8](data.prefix(33))
        guard bytes.count == 33, Array(bytes[0..<8]) == Self.signature,
              Array(bytes[12..<16]) == Array("IHDR".utf8)
        else { return nil }
        func uint32(_ offset: Int) -> UInt32 {
            bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        width = uint32(16)
        height = uint32(20)
        colorType = bytes[25]
    }

    var hasAlpha: Bool { colorType == 4 || colorType == 6 }

    static func check(_ data: Data, name: String, size: UInt32, needsAlpha: Bool) throws {
        guard let header = PNGHeader(data) else {
            throw TeamsPackageError(.iconInvalid, "\(name) is not a PNG image")
        }
        guard header.width == size, header.height == size else {
            throw TeamsPackageError(.iconInvalid, "\(name) is \(header.width)×\(header.height); Teams needs \(size)×\(size)")
        }
        if needsAlpha && !header.hasAlpha {
            throw TeamsPackageError(.iconInvalid, "\(name) has no transparency; the outline icon must be white on a transparent background")
        }
    }
}
