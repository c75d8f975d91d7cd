import Foundation
import HandoffDomain
import ZIPFoundation

/// A built Teams app package: a zip with exactly `manifest.json`, `color.png` and `outline.png`
/// at its root, byte-identical for the same values and options.
package struct TeamsAppPackage: Sendable {
    /// The zip bytes.
    package let zip: Data
    /// The manifest inside it.
    package let manifest: JSONValue
    /// The app id in the manifest.
    package let appId: String

    /// The entry names, in the order they are written.
    package static let entryNames = ["manifest.json", AppIcons.colorFileName, AppIcons.outlineFileName]

    /// Every entry's modification time: 2000-01-01T00:00:00Z. ZIPFoundation converts it with
    /// `gmtime`, so the stored DOS time is the same in every time zone (a test runs three zones).
    static let fixedModificationDate = Date(timeIntervalSince1970: 946_684_800)

    /// Builds the package for already-validated values.
    package static func build(values: HandoffValues, options: PackageOptions) throws -> TeamsAppPackage {
        try options.check()
        let manifest = TeamsManifest.make(values: values, options: options)
        let manifestBytes = Data(CanonicalJSON.encode(manifest) + [0x0A])
        let contents = [manifestBytes, options.icons.color, options.icons.outline]
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            for (name, data) in Swift.zip(entryNames, contents) {
                try archive.addEntry(
                    with: name, type: .file, uncompressedSize: Int64(data.count),
                    modificationDate: fixedModificationDate, permissions: 0o644,
                    compressionMethod: .deflate
                ) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            guard let zip = archive.data else {
                throw TeamsPackageError(.writeFailed, "the zip archive could not be assembled in memory")
            }
            return TeamsAppPackage(zip: zip, manifest: manifest, appId: manifest.objectValue?["id"]?.stringValue ?? "")
        } catch let error as TeamsPackageError {
            throw error
        } catch {
            throw TeamsPackageError(.writeFailed, "the zip archive could not be assembled: \(error)")
        }
    }

    /// Writes the zip to `url` atomically: a reader sees the old file or the whole new one.
    package func write(to url: URL) throws {
        do {
            try zip.write(to: url, options: .atomic)
        } catch {
            throw TeamsPackageError(.writeFailed, "cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
