// swift-tools-version:6.1
import PackageDescription

/// Layers, bottom up (see DESIGN.md "Layers"):
/// - `CSodium`: the libsodium system library; imported only by `VaultCrypto`.
/// - `VaultCrypto`: the only place that touches libsodium; secret memory, sealed boxes, AEAD,
///   signatures, hashes. Knows nothing of the domain.
/// - `HandoffDomain`: values and their rules, canonical JSON, and the wire formats shared by client
///   and server. Knows nothing of HTTP, SQLite or the terminal.
/// - `TeamsPackage`: the Teams app package (Step 8) from validated values; needs only the domain.
/// - `HandoffCLI`: the `handoff` command tree; the `handoff` executable only runs it.
let package = Package(
    name: "HandoffVault",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "handoff", targets: ["handoff"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(name: "VaultCrypto", dependencies: ["CSodium"]),
        .target(name: "HandoffDomain", dependencies: ["VaultCrypto"]),
        .target(
            name: "TeamsPackage",
            dependencies: [
                "HandoffDomain",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .target(
            name: "HandoffCLI",
            dependencies: [
                "HandoffDomain",
                "TeamsPackage",
                "VaultCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "handoff", dependencies: ["HandoffCLI"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "VaultCryptoTests", dependencies: ["VaultCrypto"]),
        .testTarget(name: "HandoffDomainTests", dependencies: ["HandoffDomain", "VaultCrypto", "TestSupport"]),
        .testTarget(name: "TeamsPackageTests", dependencies: ["TeamsPackage", "HandoffDomain", "TestSupport", "ZIPFoundation"]),
        .testTarget(name: "HandoffCLITests", dependencies: ["handoff", "HandoffDomain", "VaultCrypto", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
