import Foundation
import HandoffDomain
import ZIPFoundation

/// What a received package says about itself, once it is known to be a Teams app package.
package struct InspectedPackage: Sendable, Equatable {
    /// The manifest's `id`.
    package let appId: String
    /// The manifest's `manifestVersion`.
    package let manifestVersion: String
    /// `webApplicationInfo.id`: the client ID the package signs users in with.
    package let clientId: String
    /// `webApplicationInfo.resource`: the Application ID URI.
    package let resource: String
}

extension TeamsAppPackage {
    /// The most a package may inflate to, all entries together.
    package static let maximumInflatedSize = 1024 * 1024

    /// Checks that `zip` is a Teams app package as Step 8 makes them — exactly `manifest.json`
    /// and the two icons at the root, a manifest that parses with an app id, a manifest version
    /// and `webApplicationInfo`, and PNG icons — and returns what it says.
    package static func inspect(_ zip: Data) throws -> InspectedPackage {
        struct InflationLimit: Error {}
        let notPackage = { (why: String) in TeamsPackageError(.notATeamsPackage, "the file is not a Teams app package: \(why)") }
        guard ZipShape.isPlausible(Array(zip)) else { throw notPackage("it is not a zip file") }
        let archive: Archive
        do {
            archive = try Archive(data: zip, accessMode: .read)
        } catch {
            throw notPackage("it is not a readable zip")
        }
        let names = archive.map(\.path)
        guard names.sorted() == entryNames.sorted() else {
            throw notPackage("it must hold exactly \(entryNames.joined(separator: ", ")) at its root")
        }
        // Inflated bytes are counted as they come: an entry stops at the size its header
        // declares, and the whole package at `maximumInflatedSize`, so a small zip that claims
        // 100 bytes and inflates to gigabytes (a zip bomb) is refused after at most 1 MiB.
        var inflated = 0
        func contents(_ name: String) throws -> Data {
            guard let entry = archive[name], entry.uncompressedSize <= UInt64(maximumInflatedSize) else { throw notPackage("\(name) is missing or too large") }
            let declared = Int(entry.uncompressedSize)
            var data = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    inflated += chunk.count
                    guard data.count + chunk.count <= declared, inflated <= maximumInflatedSize else { throw InflationLimit() }
                    data.append(chunk)
                }
            } catch is InflationLimit {
                throw notPackage("\(name) inflates to more than its declared \(declared) bytes, or the package to more than \(maximumInflatedSize / 1024) KiB")
            } catch {
                throw notPackage("\(name) does not extract (the zip is damaged)")
            }
            return data
        }
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        for icon in [AppIcons.colorFileName, AppIcons.outlineFileName] where !(try contents(icon)).starts(with: png) {
            throw notPackage("\(icon) is not a PNG image")
        }
        let manifestBytes = try contents("manifest.json")
        guard let manifest = try? JSONParser.parse(Array(manifestBytes)).objectValue,
              let appId = manifest["id"]?.stringValue, let manifestVersion = manifest["manifestVersion"]?.stringValue,
              let web = manifest["webApplicationInfo"]?.objectValue,
              let clientId = web["id"]?.stringValue, let resource = web["resource"]?.stringValue
        else { throw notPackage("manifest.json is not a Teams manifest with an id, a manifestVersion and webApplicationInfo") }
        return InspectedPackage(appId: appId, manifestVersion: manifestVersion, clientId: clientId, resource: resource)
    }
}
