// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "luapool",
    products: [
        .executable(name: "luapool", targets: ["luapool"]),
        .library(name: "LuaPool", targets: ["LuaPool"]),
    ],
    targets: [
        // Lua 5.4 from Debian's liblua5.4-dev, linked dynamically so that Lua C
        // modules installed from Debian resolve the same Lua symbols.
        .systemLibrary(
            name: "CLua",
            path: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // Linux calls that Glibc's Swift module leaves out (prctl, getrandom).
        .systemLibrary(name: "CSystem", path: "CSystem"),
        // Line editing and history for the REPL, from Debian's libedit-dev.
        .systemLibrary(
            name: "CEdit",
            path: "CEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .target(
            name: "LuaPool",
            dependencies: ["CLua", "CSystem"],
            // The host is single-threaded and its buffers are structs of
            // manual memory: run-time exclusivity checks were a quarter of
            // the host's instructions per small chunk (BENCHMARKS.md).
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "luapool",
            dependencies: ["LuaPool", "CLua", "CEdit"],
            // A statically linked Swift runtime halves start-up time
            // (`luapool -e ''` against `lua5.4 -e ''`).
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
        ),
        .testTarget(name: "LuaPoolTests", dependencies: ["LuaPool", "CLua"]),
    ],
    // The host is single-threaded by design and talks to C's stdio globals
    // throughout; Swift 6's data-race checking would only add ceremony.
    swiftLanguageModes: [.v5]
)
