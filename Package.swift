// swift-tools-version:6.1
import Foundation
import PackageDescription

/// `make dist` and `make bench` link libsodium statically (`HANDOFF_STATIC_SODIUM=1`): the
/// customer's binary then needs no libsodium23 on their machine. Other builds link the shared one.
let staticSodium = ProcessInfo.processInfo.environment["HANDOFF_STATIC_SODIUM"] == "1"

/// In that static build the customer's binary exports only `main` (`scripts/dist/exports.map`):
/// `--static-swift-stdlib` links with `-export-dynamic`, which put 39,000 symbols in the dynamic
/// table, and the Swift runtime's start-up (`dladdr`, finding its own path) scans that table.
let staticExports = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("scripts/dist/exports.map").path

/// In that static build the customer's binary also links libstdc++ and the unwinder statically:
/// `scripts/dist/static-runtime.sh` (run by make) puts their archives in this folder, searched
/// before the shared libraries' folders. Without the folder the shared libraries are linked, as before.
let staticRuntime = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(".build-static/static-runtime").path

/// The web page's files, which the assembler includes into handoffd (WebPage/CWebPage).
let webAssets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("WebPage/CWebPage/assets").path

/// Layers, bottom up (see ARCHITECTURE.md and DESIGN.md "Layers"):
/// - `CSodium`: the libsodium system library; imported only by `VaultCrypto`.
/// - `VaultCrypto`: the only place that touches libsodium; secret memory, sealed boxes, AEAD,
///   signatures, hashes. Knows nothing of the domain.
/// - `HandoffDomain`: values and their rules, canonical JSON, and the wire formats shared by client
///   and server. Knows nothing of HTTP, SQLite or the terminal.
/// - `VaultStore`: the data directory (key files, lock, rotation) and the store behind the
///   `HandoffStore` protocol of domain operations, one transaction each (SQLite through GRDB).
/// - `VaultPostgres`: the same `HandoffStore` on PostgreSQL (PostgresNIO), for several nodes.
/// - `VaultServer`: the HTTPS API (Hummingbird) and the customer's web page (`CWebPage`: its files
///   built into the binary); `HandoffdCLI` and `handoffd` run it.
/// - `VaultClient`: the API client (AsyncHTTPClient) that the CLI uses; never linked by the server.
/// - `TeamsPackage`: the Teams app package (Step 8) from validated values: the domain, ZIPFoundation,
///   and swift-crypto for one SHA-1 (the RFC 9562 name-based app id, fixed by the package format;
///   libsodium has no SHA-1, and no crypto is hand-written here).
/// - `SignIn`: Sign in with Microsoft for the CLI and the generator: the issuer's keys and the
///   RS256 signature of a sealed ID token (jwt-kit, over swift-crypto), before the domain's claims
///   checks (`TenantProofCheck`).
/// - `HandoffCLI`: the `handoff` command tree; the `handoff` executable only runs it.
let package = Package(
    name: "HandoffVault",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "handoff", targets: ["handoff"]),
        .executable(name: "handoffd", targets: ["handoffd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // The module map names no library, and pkg-config is not asked for a static build (it
        // would add -lsodium, which the linker resolves to the shared library): VaultCrypto's
        // linker settings say which libsodium.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: staticSodium ? nil : "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(
            name: "VaultCrypto", dependencies: ["CSodium"],
            linkerSettings: staticSodium ? [.unsafeFlags(["-Xlinker", "-l:libsodium.a"])] : [.linkedLibrary("sodium")]
        ),
        .target(
            name: "CWebPage",
            path: "WebPage/CWebPage",
            exclude: ["assets/index.html", "assets/page.js", "assets/page.css", "assets/handoff.wasm", "assets/signin.js"],
            cSettings: [.headerSearchPath("assets"), .define("HV_ASSETS", to: "\"\(webAssets)\"")]
        ),
        .target(name: "HandoffDomain", dependencies: ["VaultCrypto"]),
        .target(
            name: "TeamsPackage",
            dependencies: [
                "HandoffDomain",
                "VaultCrypto",
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
                "VaultClient",
                "SignIn",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "SignIn",
            dependencies: [
                "HandoffDomain", "VaultCrypto", "VaultClient", .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "handoff", dependencies: ["HandoffCLI"],
            linkerSettings: staticSodium ? [.unsafeFlags(["-L\(staticRuntime)", "-Xlinker", "--version-script=\(staticExports)"])] : []
        ),
        .target(
            name: "VaultStore",
            dependencies: ["HandoffDomain", "VaultCrypto", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "VaultPostgres",
            dependencies: [
                "VaultStore", "HandoffDomain", "VaultCrypto",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "VaultServer",
            dependencies: [
                "HandoffDomain",
                "VaultCrypto",
                "VaultStore",
                "CWebPage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("OpenAPI/openapi.yaml")]
        ),
        .target(
            name: "HandoffdCLI",
            dependencies: [
                "VaultServer",
                "VaultStore",
                "VaultPostgres",
                "HandoffDomain",
                "VaultCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "handoffd", dependencies: ["HandoffdCLI"]),
        .target(
            name: "VaultClient",
            dependencies: [
                "HandoffDomain",
                "VaultCrypto",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "audit-bench",
            dependencies: ["VaultStore", "HandoffDomain", "VaultCrypto"],
            path: "Benchmarks/AuditBench"
        ),
        .executableTarget(
            name: "scale-fill",
            dependencies: ["VaultStore", "VaultPostgres", "HandoffDomain"],
            path: "Benchmarks/ScaleFill"
        ),
        .target(name: "TestSupport", dependencies: ["VaultStore", "VaultPostgres", "HandoffDomain", "VaultCrypto"], path: "Tests/TestSupport"),
        .testTarget(name: "VaultCryptoTests", dependencies: ["VaultCrypto"]),
        .testTarget(name: "HandoffDomainTests", dependencies: ["HandoffDomain", "VaultCrypto", "TestSupport"]),
        .testTarget(name: "TeamsPackageTests", dependencies: ["TeamsPackage", "HandoffDomain", "TestSupport", "ZIPFoundation"]),
        .testTarget(
            name: "VaultServerTests",
            dependencies: [
                "VaultServer", "VaultStore", "VaultPostgres", "HandoffDomain", "VaultCrypto", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "VaultStoreTests",
            dependencies: [
                "VaultStore", "VaultPostgres", "HandoffDomain", "VaultCrypto", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            // The real binaries over real TLS: what needs processes, sockets or signals.
            name: "EndToEndTests",
            dependencies: [
                "handoff", "handoffd", "HandoffCLI", "VaultClient", "HandoffDomain", "VaultCrypto", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// A file sees only the members of the modules it imports: Foundation's `StringProtocol` members
// (whose `contains(_:)` trapped on untrusted text) stay out of files that do not import Foundation.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("MemberImportVisibility")]
}
