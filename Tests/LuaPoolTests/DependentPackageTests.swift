// The LuaPool library as another Swift package uses it: through a tagged
// git URL (a versioned dependency, which SwiftPM refuses when a target has
// unsafe flags and the manifest is older than tools-version 6.2).
//
// The package's files are committed into a new repository and tagged, a
// small package depends on it `from:` that tag, and its program, built and
// run by SwiftPM, runs Lua through LuaPool.

import Foundation
import Glibc
import Testing

@Suite("LuaPool as a dependency")
struct DependentPackageTests {
    static let root = TestPaths.luaScripts.deletingLastPathComponent().deletingLastPathComponent()

    @Test("a package that depends on LuaPool by a tagged local git URL builds and runs")
    func taggedDependency() throws {
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("luapool-dependent-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        let library = work.appendingPathComponent("luapool")
        let app = work.appendingPathComponent("app")
        try FileManager.default.createDirectory(at: app.appendingPathComponent("Sources/app"), withIntermediateDirectories: true)

        // The package as it is now, committed and tagged in a repository
        // of its own.
        try shell("""
            mkdir -p '\(library.path)' && cd '\(Self.root.path)' &&
            tar --exclude='./.build*' --exclude=./.git -cf - . | tar -xf - -C '\(library.path)' &&
            cd '\(library.path)' && git init -q && git add -A &&
            git -c user.name=test -c user.email=test@example.com commit -qm package &&
            git tag 1.0.0
            """)
        try """
            // swift-tools-version:6.2
            import PackageDescription

            let package = Package(
                name: "app",
                dependencies: [.package(url: "\(library.absoluteString)", from: "1.0.0")],
                targets: [.executableTarget(name: "app", dependencies: [.product(name: "LuaPool", package: "luapool")])]
            )
            """.write(to: app.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try """
            import LuaPool

            let lua = LuaState()!
            lua.openLibraries()
            LuaPoolModules.open(lua)
            try! lua.load("local mp = require 'multiprocessing' return #mp.dumps({1, 2, 3}), 6 * 7", name: "=app")
            try! lua.call(arguments: 0, results: 2)
            print("dumps", lua.toInteger(at: -2)!, "answer", lua.toInteger(at: -1)!)
            """.write(to: app.appendingPathComponent("Sources/app/main.swift"), atomically: true, encoding: .utf8)

        let built = try shell("cd '\(app.path)' && swift build --scratch-path .build-app 2>&1 && .build-app/debug/app",
                              timeout: 1200)
        #expect(!built.contains("unsafe build flags"), "\(built)")
        #expect(built.split(separator: "\n").last == "dumps 22 answer 42", "\(built)")
    }

    /// Runs `command` with /bin/sh; its output. Fails the test when it fails.
    @discardableResult
    private func shell(_ command: String, timeout: Double = 120) throws -> String {
        let result = try ChildProcess.run("/bin/sh", name: "sh", arguments: ["-c", command],
                                          environment: ProcessInfo.processInfo.environment, timeout: timeout)
        let output = result.stdoutText + result.stderrText
        try #require(result.exitStatus == 0, "\(command)\n\(result.ending)\n\(output)")
        return output
    }
}
