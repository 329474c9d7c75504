// swift-tools-version:6.0
// Apus: the working core of Hugging Face Transformers in Swift. See DESIGN.md for the map.
import PackageDescription

/// Hot numeric code is compiled for the AVX2/FMA level every machine of this kind has
/// ("haswell": the clang importer of this toolchain does not know the name x86-64-v3).
let numericFlags: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", "haswell", "-enforce-exclusivity=unchecked"],
                 .when(configuration: .release)),
]

/// The tensor engine is optimised in debug builds too: its SIMD kernels are generic code that,
/// unoptimised, looks up type metadata for every vector operation (a decode step of a 135M
/// model takes minutes that way), and the debug build is what the test suite runs.
let engineFlags: [SwiftSetting] = numericFlags + [
    .unsafeFlags(["-O", "-target-cpu", "haswell"], .when(configuration: .debug)),
]

let package = Package(
    name: "Apus",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "apus", targets: ["apus"]),
        .executable(name: "apus-kernel", targets: ["apus-kernel"]),
        .library(name: "Apus", targets: ["Apus"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Tokenizers", targets: ["Tokenizers"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
    ],
    targets: [
        // System libraries from Debian, found through pkg-config.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZeroMQ", pkgConfig: "libzmq",
                       providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CSndfile", pkgConfig: "sndfile",
                       providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit",
                       providers: [.apt(["libedit-dev"])]),
        // The one C++ shim: a C API over libsentencepiece.
        .target(name: "CSentencePiece",
                cxxSettings: [.unsafeFlags(["-std=c++17"])],
                linkerSettings: [.linkedLibrary("sentencepiece"), .linkedLibrary("stdc++")]),

        .target(name: "Tensors", dependencies: ["COpenBLAS"], swiftSettings: engineFlags),
        .target(name: "NN", dependencies: ["Tensors"], swiftSettings: numericFlags),

        .target(name: "Models", dependencies: ["Tensors", "NN"], swiftSettings: numericFlags),

        .target(name: "Tokenizers", dependencies: ["Tensors", "CSentencePiece"], swiftSettings: numericFlags),
        .target(name: "Display", dependencies: ["Tensors", "CPNG"]),
        // The interpreter's hot paths are full of class-property accesses whose dynamic
        // exclusivity checks cost ~10% of script run time; release builds skip them.
        .target(name: "Script", dependencies: ["Tensors", "NN", "Models", "Display", "Tokenizers"],
                resources: [.copy("Library")],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .target(name: "Kernel", dependencies: ["Display", "CZeroMQ", .product(name: "Crypto", package: "swift-crypto")]),

        .target(name: "REPL", dependencies: ["Script", "Display", "CEditLine"]),
        .target(name: "Apus", dependencies: ["Tensors", "NN", "Models", "Tokenizers", "Display"]),

        // The Swift runtime and Foundation are linked in: resolving their symbols at every start
        // took over half of a kernel's or `apus -c`'s start-up. (`-static-stdlib` at link time
        // alone leaves out what static Foundation itself needs; the group names it.)
        .executableTarget(name: "apus", dependencies: ["Script", "REPL", "Kernel"],
                          linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "--start-group",
                                                         "-lFoundation", "-lFoundationEssentials",
                                                         "-lFoundationInternationalization", "-lCoreFoundation",
                                                         "-l_FoundationICU", "-l_FoundationCShims",
                                                         "-l_FoundationCollections", "-lswiftSynchronization",
                                                         "-Xlinker", "--end-group"])]),
        // The kernel's starter, in C so that it listens on the ports a millisecond after the
        // client starts it; it then becomes `apus kernel` (Sources/apus-kernel/main.c says why).
        .executableTarget(name: "apus-kernel", path: "Sources/apus-kernel",
                          linkerSettings: [.linkedLibrary("json-c"),
                                           // Linked statically: it starts in ~1 ms, where loading the
                                           // shared Swift runtime the link line names takes ~7 ms.
                                           .unsafeFlags(["-static-executable"])]),
        .executableTarget(name: "apus-bench", dependencies: ["Tensors", "NN", "Models", "Tokenizers", "COpenBLAS"],
                          path: "Sources/apus-bench", swiftSettings: numericFlags),

        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "NNTests", dependencies: ["NN"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Tokenizers"]),
        .testTarget(name: "ScriptTests", dependencies: ["Script", "Models"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"]),
        .testTarget(name: "DisplayTests", dependencies: ["Display"]),
        .testTarget(name: "KernelTests", dependencies: ["Kernel"]),
        .testTarget(name: "REPLTests", dependencies: ["REPL"]),
        .testTarget(name: "SystemLibrariesTests",
                    dependencies: ["CZeroMQ", "CPNG", "CSndfile", "CSentencePiece", "COpenBLAS", "CEditLine"]),
    ],
    swiftLanguageModes: [.v5]
)
