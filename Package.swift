// swift-tools-version:6.1
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "postfleet",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "postfleet", targets: ["postfleet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.0"),
    ],
    targets: [
        // libssh2 as Debian ships it (libssh2-1-dev); shim.h wraps what Swift cannot import.
        .systemLibrary(
            name: "CLibSSH2",
            pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"])]
        ),
        // stat(2) as plain values (see file_status.h for why), and its Swift face.
        .target(name: "CFileStatus"),
        .target(name: "FileStatus", dependencies: ["CFileStatus"], swiftSettings: settings),
        // POSIX shell quoting: every value that reaches a remote shell goes through it.
        .target(name: "ShellQuoting", swiftSettings: settings),
        // OpenSSH's client configuration (ssh_config, ssh -o), pure: what applies to each host.
        .target(name: "SSHConfig", dependencies: ["FileStatus"], swiftSettings: settings),
        // Async SSH sessions over non-blocking libssh2, driven by one epoll thread.
        .target(name: "SSH", dependencies: ["CLibSSH2", "ShellQuoting", "SSHConfig", "FileStatus"], swiftSettings: settings),
        // ansible-vault: its envelopes decrypted as Ansible decrypts them (swift-crypto's
        // PBKDF2, AES-CTR and HMAC), and the vault passwords from Ansible's sources.
        .target(
            name: "Vault",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: settings
        ),
        // Hosts, groups, variables and host patterns (Ansible's inventory formats).
        .target(name: "Inventory", dependencies: ["Vault", "FileStatus", .product(name: "Yams", package: "Yams")], swiftSettings: settings),
        // Ansible's configuration: ansible.cfg found and read as Ansible does, and its ANSIBLE_* variables.
        .target(name: "AnsibleConfig", dependencies: ["Inventory", "FileStatus"], swiftSettings: settings),
        // The Postfix domain, pure: instances, main.cf and master.cf, tables, owned parameters.
        .target(name: "Postfix", dependencies: ["ShellQuoting"], swiftSettings: settings),
        // Playbooks: the model, its YAML loader with file:line errors, template rendering.
        .target(
            name: "Playbook",
            dependencies: [
                "Inventory", "Postfix", "Vault",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: settings
        ),
        // What a run must do to a host, and how the host differs from the playbook: pure
        // functions of the rendered files and the host's facts; no SSH.
        .target(name: "Planning", dependencies: ["Inventory", "Playbook", "Postfix"], swiftSettings: settings),
        // X.509 certificates as a mail administrator reads them (subject, names, issuer,
        // validity, SHA-256 fingerprint), parsed by swift-certificates.
        .target(
            name: "TLSCertificates",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: settings
        ),
        // Runs work on many hosts at once: bounded fan-out, per-host results.
        .target(name: "Engine", dependencies: ["SSH", "SSHConfig", "ShellQuoting", "Inventory", "Playbook", "Postfix", "Planning", "TLSCertificates"], swiftSettings: settings),
        // Turns per-host results into terminal output and JSON.
        .target(name: "Report", dependencies: ["Engine", "Planning", "TLSCertificates"], swiftSettings: settings),
        // What each command does, as library calls: load the inventory and the playbook in
        // one pass (Workload), run, report. The executable only parses arguments.
        .target(name: "Fleet", dependencies: ["SSH", "SSHConfig", "Inventory", "AnsibleConfig", "Playbook", "Postfix", "Engine", "Report", "Vault", "FileStatus"], swiftSettings: settings),
        .executableTarget(
            name: "postfleet",
            dependencies: [
                "SSH", "SSHConfig", "Inventory", "AnsibleConfig", "Playbook", "Postfix", "Report", "Fleet", "Vault",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: settings
        ),
        .testTarget(name: "InventoryTests", dependencies: ["Inventory", "Vault"], swiftSettings: settings),
        .testTarget(name: "VaultTests", dependencies: ["Vault"], exclude: ["Fixtures"], swiftSettings: settings),
        .testTarget(name: "SSHConfigTests", dependencies: ["SSHConfig"], swiftSettings: settings),
        .testTarget(name: "AnsibleConfigTests", dependencies: ["AnsibleConfig", "Inventory"], swiftSettings: settings),
        .testTarget(name: "SSHTests", dependencies: ["SSH", "CLibSSH2", "ShellQuoting"], swiftSettings: settings),
        .testTarget(name: "PostfixTests", dependencies: ["Postfix"], swiftSettings: settings),
        .testTarget(name: "TLSCertificatesTests", dependencies: ["TLSCertificates"], swiftSettings: settings),
        .testTarget(
            name: "PlaybookTests", dependencies: ["Playbook", "Inventory", "Postfix", "Vault"],
            // Read by path (render output compared with files kept there), not bundled.
            exclude: ["Fixtures"], swiftSettings: settings
        ),
        .testTarget(name: "PlanningTests", dependencies: ["Planning", "Playbook", "Postfix", "Inventory"], swiftSettings: settings),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "SSHConfig", "Playbook", "Postfix", "Inventory"], swiftSettings: settings),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Engine", "Planning", "Vault", "TLSCertificates"], swiftSettings: settings),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["SSH", "SSHConfig", "ShellQuoting", "Inventory", "Postfix", "Engine", "Report", "TLSCertificates"],
            swiftSettings: settings
        ),
    ]
)
