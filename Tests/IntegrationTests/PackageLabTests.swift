import Foundation
import Testing

/// postfleet as a mail administrator installs it (issue 19): the Debian package that
/// `scripts/package` builds, installed with dpkg on a lab host that has no Swift toolchain,
/// rolls the border cluster out from there to two other lab hosts; its man pages render;
/// `dpkg -r` takes away everything it installed. And the tarball's one binary runs there too.
///
/// The installer host (mta53) gets, in its own mount namespace only, a tmpfs over /opt/swift
/// (where the toolchain is: nothing of it is left to find), and an overlay over /usr and a
/// tmpfs over /var/cache, so that dpkg writes there and never into the machine's own; its
/// /etc and /var/lib are the lab's overlays already. `scripts/test` runs this suite on a lab
/// with POSTFLEET_PACKAGE set to the package it built, on mta53..mta55 of its one lab.
/// The package under test: POSTFLEET_PACKAGE.
enum PackageUnderTest {
    static var path: String? { ProcessInfo.processInfo.environment["POSTFLEET_PACKAGE"] }
}

@Suite(.cleansUp, .labOf(LabHosts.package), .enabled(if: PackageUnderTest.path != nil,
                "needs POSTFLEET_PACKAGE=DIR/postfleet_VERSION_amd64.deb (scripts/package)"),
       .serialized, .timeLimit(.minutes(10)))
struct PackageLabTests {
    let lab = Lab.current!
    let installer = "mta53"
    let targets = ["mta54", "mta55"]

    /// The package's path, absolute (the host sees the machine's files under it).
    var deb: String { URL(fileURLWithPath: PackageUnderTest.path!).standardizedFileURL.path }

    /// The tarball scripts/package made beside the package.
    var tarball: String {
        let name = URL(fileURLWithPath: deb).lastPathComponent  // postfleet_0.1.0_amd64.deb
        let version = name.split(separator: "_").dropFirst().first.map(String.init) ?? "?"
        return URL(fileURLWithPath: deb).deletingLastPathComponent().appendingPathComponent("postfleet-\(version)-linux-amd64.tar.gz").path
    }

    /// The commit the checkout is at: the one the package was built from.
    func head() async throws -> String {
        try await runProcess("/usr/bin/git", ["-C", Lab.repository.path, "rev-parse", "HEAD"], environment: [:]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func theDebianPackageInstallsWithoutSwiftRollsOutAndRemovesEverything() async throws {
        try await lab.script(["reset", installer] + targets, seconds: 180)
        afterTest { _ = try await lab.script(["reset", installer] + targets, seconds: 180) }

        // A host without the Swift toolchain, whose /usr and /var/cache are its own.
        try await lab.onHost(installer, """
            set -e
            mkdir -p /run/pf-package
            mount -t tmpfs -o mode=0755 pf-package /run/pf-package
            mkdir /run/pf-package/usr /run/pf-package/work
            mount -t overlay pf-package-usr -o lowerdir=/usr,upperdir=/run/pf-package/usr,workdir=/run/pf-package/work /usr
            mount -t tmpfs -o mode=0755 pf-package-cache /var/cache
            if [ -d /opt/swift ]; then mount -t tmpfs -o ro,mode=0755 pf-package-noswift /opt/swift; fi
            """)
        let machineMounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!machineMounts.contains("pf-package"), "the installer's mounts stay in its namespace")
        let bare = try await lab.onHost(installer, "command -v swift swiftc || echo 'no swift'; ls -A /opt/swift 2>/dev/null | wc -l")
        #expect(bare == "no swift\n0\n", "the installer has no Swift toolchain: \(bare)")

        // Installed with dpkg: only the system's libraries, the version with its commit.
        let install = try await lab.onHost(installer, "dpkg -i \(deb) 2>&1; dpkg-query -W -f='${Status} ${Version}\\n' postfleet")
        #expect(install.hasSuffix("install ok installed 0.1.0\n"), "\(install)")
        let libraries = try await lab.onHost(installer, "ldd /usr/bin/postfleet")
        #expect(libraries.contains("libssh2.so.1") && !libraries.contains("swift") && !libraries.contains("not found"), "\(libraries)")
        let control = try await lab.onHost(installer, "dpkg-query -W -f='${Depends}' postfleet")
        #expect(control.contains("libssh2-1 (>= ") && control.contains("libc6 (>= ") && !control.contains("swift"), "\(control)")
        let version = try await lab.onHost(installer, "postfleet --version")
        #expect(version == "0.1.0 (commit \(try await head()))\n", "\(version)")

        // Man pages for postfleet and each subcommand, completions, examples, copyright.
        let page = try await lab.onHost(installer, "MANWIDTH=100 man -P cat postfleet-run 2>&1")
        #expect(page.contains("postfleet run") && page.contains("--lock-timeout") && page.contains("--check"), "\(page.prefix(600))")
        let pages = try await lab.onHost(installer, "for c in '' -run -postmulti -queue -tls -restore -history -backups -drift -instances -exec; do man -w postfleet$c >/dev/null || echo \"missing postfleet$c\"; done; echo checked")
        #expect(pages == "checked\n", "\(pages)")
        let files = try await lab.onHost(installer, """
            for f in /usr/share/bash-completion/completions/postfleet /usr/share/zsh/vendor-completions/_postfleet \
                     /usr/share/fish/vendor_completions.d/postfleet.fish /usr/share/doc/postfleet/copyright \
                     /usr/share/doc/postfleet/examples/playbooks/border-cluster.yml /usr/share/doc/postfleet/examples/inventories; do
              [ -e "$f" ] || echo "missing $f"
            done
            grep -c postfleet /usr/share/bash-completion/completions/postfleet >/dev/null && echo completes
            """)
        #expect(files == "completes\n", "\(files)")

        // From the installer, the border cluster onto two other lab hosts.
        let rollout = try await lab.onHost(installer, """
            cd /root && postfleet run /usr/share/doc/postfleet/examples/playbooks/border-cluster.yml \
              -i \(lab.inventoryPath) --known-hosts \(lab.knownHosts) -l \(targets.joined(separator: ":")) 2>&1
            """)
        #expect(rollout.contains("2 hosts: 0 ok, 2 changed, 0 failed, 0 unreachable"), "\(rollout)")
        for host in targets {
            let instances = try await lab.sh(host, "postmulti -l")
            #expect(instances.contains("postfix-out") && instances.contains("postfix-in"), "\(host): \(instances)")
        }

        // The tarball's one binary runs there too.
        let listing = try await runProcess("/usr/bin/tar", ["-tzf", tarball], environment: [:])
        #expect(listing.status == 0 && listing.stdout.split(separator: "\n").map { $0.split(separator: "/").dropFirst().joined(separator: "/") }
                    .filter { !$0.isEmpty }.sorted() == ["COPYRIGHT", "postfleet"], "\(listing.stdout)")
        let unpacked = try await lab.onHost(installer, "cd /run/pf-package && tar -xzf \(tarball) && ./postfleet-*/postfleet --version")
        #expect(unpacked == "0.1.0 (commit \(try await head()))\n", "\(unpacked)")

        // dpkg -r takes away every file it installed.
        let removal = try await lab.onHost(installer, """
            dpkg -L postfleet >/run/pf-package/files
            dpkg -r postfleet >/dev/null 2>&1 || echo 'dpkg -r failed'
            while read -r f; do [ -d "$f" ] || [ ! -e "$f" ] || echo "left: $f"; done </run/pf-package/files
            [ ! -e /usr/share/doc/postfleet ] || echo 'left: /usr/share/doc/postfleet'
            command -v postfleet || echo 'no postfleet'
            man -w postfleet-run 2>/dev/null || echo 'no man page'
            dpkg-query -W -f='${Status}\\n' postfleet 2>&1 | grep -q 'install ok installed' && echo 'still installed'
            wc -l </run/pf-package/files
            """)
        let lines = removal.split(separator: "\n").map(String.init)
        #expect(lines.dropLast() == ["no postfleet", "no man page"], "\(removal)")
        #expect(Int(lines.last ?? "") ?? 0 > 20, "dpkg listed the package's files: \(removal)")
    }
}

/// Fails the run when the package test was required (`scripts/test` builds one) and did not run.
@Suite struct PackagePresence {
    @Test func thePackageIsThereWhenRequired() {
        if ProcessInfo.processInfo.environment["POSTFLEET_REQUIRE_PACKAGE"] == "1" {
            let path = PackageUnderTest.path
            #expect(path.map { FileManager.default.fileExists(atPath: $0) } == true,
                    "POSTFLEET_REQUIRE_PACKAGE=1 but POSTFLEET_PACKAGE (\(path ?? "unset")) names no package: run scripts/package")
        }
    }

    @Test func theLabIsLargeEnoughWhenRequired() { expectLab(of: LabHosts.package, for: "PackageLabTests") }
}
