import Foundation
import Glibc
import Postfix
import Testing

/// ``PostmultiCooling`` run for real: `/bin/sh`, this machine's `postconf -e` editing main.cf
/// files in a scratch directory, as postmulti's script edits them.
@Suite(.enabled(if: RealPostconf.isInstalled, "needs postconf (apt install postfix)"))
struct PostmultiCoolingTests {
    func modified(_ path: String) throws -> Date {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
    }

    /// `pf_cool` after `postconf -e` in one of two directories: the edited main.cf is dated a
    /// minute back, so the next Postfix program does not pause for it; the other is untouched.
    @Test func onlyTheMainCFEditedSinceTheStampIsDatedBack() throws {
        try withTemporaryDirectory { dir in
            let edited = dir + "/postfix", other = dir + "/postfix-out"
            for d in [edited, other, dir + "/T"] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
            try write("myhostname = one.example\n", to: edited + "/main.cf")
            try write("mydomain = example.net\n", to: other + "/main.cf")
            let otherBefore = try modified(other + "/main.cf")
            // The edited directory is named through a symbolic link, as a host may name it.
            try FileManager.default.createSymbolicLink(atPath: dir + "/linked", withDestinationPath: edited)
            try waitForTheNextTick(in: dir)
            let script = """
                set -u
                T=\(dir)/T
                \(PostmultiCooling.function(directories: [dir + "/linked", other, dir + "/gone"]))
                \(PostmultiCooling.stamp)
                postconf -c \(edited) -e 'myhostname = three.example' || exit 1
                \(PostmultiCooling.cool)
                """
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", script]
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            #expect(try read(edited + "/main.cf").contains("myhostname = three.example"), "postconf -e's edit is kept")
            let age = Date().timeIntervalSince(try modified(edited + "/main.cf"))
            #expect(age >= 59 && age < 120, "dated a minute back, not \(age) s")
            #expect(try modified(other + "/main.cf") == otherBefore, "a main.cf the operation did not change keeps its date")
            #expect(try RealPostconf.run(["-c", edited, "-h", "myhostname"]).out == "three.example\n")
        }
    }

    @Test func withNoDirectoryItTouchesNothing() {
        #expect(PostmultiCooling.function(directories: []) == "pf_cool() { return 0; }")
    }
}
