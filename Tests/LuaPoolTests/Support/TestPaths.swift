import Foundation

/// Where the tests find their files and the programs they run.
enum TestPaths {
    /// `Tests/lua`, beside this target's folder.
    static let luaScripts: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // LuaPoolTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("lua")

    /// `Tests/lua/compat`.
    static let compatScripts = luaScripts.appendingPathComponent("compat")

    /// The repository's root, which holds `scripts/`, `docs/` and `README.md`.
    static let repository: URL = luaScripts
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// The built `luapool`: `$LUAPOOL_BIN` if set, else the `luapool` in
    /// the build products folder that holds the running test executable
    /// (`.build/debug`, or `<scratch path>/debug`), looked for in the
    /// folders above the executable so a macOS `.xctest` bundle works too.
    static let luapool: String? = {
        if let path = ProcessInfo.processInfo.environment["LUAPOOL_BIN"], !path.isEmpty {
            return path
        }
        for start in testExecutableLocations() {
            var folder = start.deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = folder.appendingPathComponent("luapool").path
                if isExecutableFile(candidate) { return candidate }
                folder.deleteLastPathComponent()
            }
        }
        return nil
    }()

    static let luapoolMissing = """
        the luapool binary was not found next to the test executable; \
        build it (swift build) or set LUAPOOL_BIN
        """

    /// `lua5.4` from PATH (or `$LUA54_BIN`), for the compatibility tests.
    static let lua54: String? = {
        if let path = ProcessInfo.processInfo.environment["LUA54_BIN"], !path.isEmpty {
            return path
        }
        return onPath("lua5.4")
    }()

    /// `python3` from PATH, which drives the terminal tests.
    static let python3: String? = onPath("python3")

    /// `groff` from PATH, which renders the manual page for its tests.
    static let groff: String? = onPath("groff")

    /// The first executable file called `name` in the folders of PATH.
    static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    /// The files of the running test executable, symlinks resolved.
    private static func testExecutableLocations() -> [URL] {
        var paths: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            paths.append(exe)
        }
        paths.append(CommandLine.arguments[0])
        paths += Bundle.allBundles.map(\.bundlePath).filter { $0.hasSuffix(".xctest") }
            .map { $0 + "/placeholder" }
        return paths.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath() }
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
            && !isFolder.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }
}

/// The environment children run in: this process's, without the variables
/// that change how Lua or luapool start, plus `extra`.
func childEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment.filter { key, _ in
        !(key == "LUA_INIT" || key == "LUA_INIT_5_4" || key.hasPrefix("LUA_PATH")
          || key.hasPrefix("LUA_CPATH") || key.hasPrefix("LUAPOOL_"))
    }
    environment.merge(extra) { _, new in new }
    return environment
}
