import Foundation
import Testing
@testable import Postfix

/// The staged certificate check, run here with this machine's postconf(1) and openssl(1)
/// on a live and a staged configuration directory: a lab PKI (root, intermediate, leaf)
/// made by the test, and each broken input the check exists for.
@Suite(.enabled(if: RealPostconf.isInstalled && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"),
                "needs postconf and openssl"))
struct TLSStageCheckTests {
    /// A root, an intermediate it signed, and certificates for `mx1.example.net`, in `dir`.
    struct PKI {
        let dir: String

        @discardableResult
        func openssl(_ arguments: [String]) throws -> String {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            p.arguments = arguments
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            let errors = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            try #require(p.terminationStatus == 0, "openssl \(arguments): \(String(decoding: errors, as: UTF8.self))")
            return String(decoding: data, as: UTF8.self)
        }

        func text(_ name: String) throws -> String { try String(contentsOfFile: dir + "/" + name, encoding: .utf8) }

        init(in dir: String) throws {
            self.dir = dir
            try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "root.key",
                         "-out", "root.pem", "-days", "60", "-subj", "/CN=postfleet test root"])
            try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "int.key", "-out", "int.csr",
                         "-subj", "/CN=postfleet test intermediate"])
            try "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n".write(toFile: dir + "/int.ext", atomically: true, encoding: .utf8)
            try openssl(["x509", "-req", "-in", "int.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial", "-days", "60",
                         "-extfile", "int.ext", "-out", "int.pem"])
            try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "mx.key"])
            try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "other.key"])
        }

        /// A leaf for `name` signed by the intermediate with mx.key, valid `days` (0: expired at once).
        func leaf(_ file: String, name: String = "mx1.example.net", days: Int = 30) throws {
            try openssl(["req", "-new", "-key", "mx.key", "-subj", "/CN=\(name)", "-out", "\(file).csr"])
            try "subjectAltName=DNS:\(name)\nextendedKeyUsage=serverAuth\n".write(toFile: dir + "/\(file).ext", atomically: true, encoding: .utf8)
            try openssl(["x509", "-req", "-in", "\(file).csr", "-CA", "int.pem", "-CAkey", "int.key", "-CAcreateserial",
                         "-days", String(days), "-extfile", "\(file).ext", "-out", "\(file).pem"])
        }
    }

    /// Runs the check of `stage` against `live`; returns its status and stderr.
    func check(stage: String, live: String, settings: TLSStageCheck.Settings) throws -> (status: Int32, stderr: String) {
        let script = TLSStageCheck.functions + "\n" + TLSStageCheck.lines(stage: stage, live: live, settings: settings).joined(separator: "\n")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A live and a staged directory whose main.cf names `live/mx.pem` and `live/mx.key`
    /// (or, with `chainFiles`, `live/chain.pem` as smtpd_tls_chain_files).
    func directories(_ root: String, chainFiles: Bool = false) throws -> (live: String, stage: String) {
        let live = root + "/live", stage = root + "/live/.postfleet-stage-1"
        try FileManager.default.createDirectory(atPath: stage, withIntermediateDirectories: true)
        let tls = chainFiles ? "smtpd_tls_chain_files = \(live)/chain.pem\n"
            : "smtpd_tls_cert_file = \(live)/mx.pem\nsmtpd_tls_key_file = $config_directory/mx.key\n"
        let mainCF = "compatibility_level = 3.6\nmyhostname = mx1.example.net\nsmtpd_tls_security_level = may\n" + tls
        for dir in [live, stage] {
            try write(mainCF, to: dir + "/main.cf")
            try write("smtp inet n - y - - smtpd\n", to: dir + "/master.cf")
        }
        return (live, stage)
    }

    func put(_ text: String, _ path: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }

    @Test func aGoodRenewalPassesAndEachBrokenOneIsRefusedWithItsReason() throws {
        try withTemporaryDirectory { root in
            let pki = try PKI(in: root)
            let (live, stage) = try directories(root)
            let ca = TLSStageCheck.Settings(caPEM: try pki.text("root.pem"))
            try pki.leaf("good")
            try pki.leaf("short", days: 5)
            try pki.leaf("expired", days: 0)
            try pki.leaf("wrong", name: "mx9.example.net")
            // Live: no certificate yet. Staged: leaf + intermediate, and its key.
            try put(try pki.text("good.pem") + pki.text("int.pem"), stage + "/mx.pem")
            try put(try pki.text("mx.key"), stage + "/mx.key")
            var r = try check(stage: stage, live: live, settings: ca)
            #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")

            // Each broken input, alone, with the reason named at the live path.
            let cases: [(cert: String, key: String, settings: TLSStageCheck.Settings, says: String)] = [
                (try pki.text("good.pem") + pki.text("int.pem"), try pki.text("other.key"), ca,
                 "\(live)/mx.pem (main.cf): the private key does not match the certificate"),
                (try pki.text("good.pem"), try pki.text("mx.key"), ca,
                 "\(live)/mx.pem (main.cf): the chain does not reach a trusted root, at depth 0: unable to get local issuer certificate (is an intermediate certificate missing from the file?)"),
                (try pki.text("expired.pem") + pki.text("int.pem"), try pki.text("mx.key"), ca,
                 "\(live)/mx.pem (main.cf): the certificate (CN = mx1.example.net) expired on"),
                (try pki.text("short.pem") + pki.text("int.pem"), try pki.text("mx.key"), ca,
                 "within the 14 days it must stay valid (tls: valid_for)"),
                (try pki.text("wrong.pem") + pki.text("int.pem"), try pki.text("mx.key"), ca,
                 "\(live)/mx.pem (main.cf): the certificate (CN = mx9.example.net) does not cover mx1.example.net"),
                // The system store does not know the test's root.
                (try pki.text("good.pem") + pki.text("int.pem"), try pki.text("mx.key"), TLSStageCheck.Settings(),
                 "the chain does not reach a trusted root"),
                // Names the playbook lists instead of myhostname.
                (try pki.text("good.pem") + pki.text("int.pem"), try pki.text("mx.key"),
                 TLSStageCheck.Settings(caPEM: try pki.text("root.pem"), names: ["mx1.example.net", "smtp.example.net"]),
                 "does not cover smtp.example.net"),
            ]
            for c in cases {
                try put(c.cert, stage + "/mx.pem")
                try put(c.key, stage + "/mx.key")
                r = try check(stage: stage, live: live, settings: c.settings)
                #expect(r.status == 1 && r.stderr.contains(c.says), "expected '\(c.says)', got: \(r.stderr)")
                #expect(r.stderr.split(separator: "\n").count == 1, "one reason each: \(r.stderr)")
                #expect(!r.stderr.contains(".postfleet-stage"), "errors name the live path: \(r.stderr)")
            }

            // Material that is the same as live is not checked again: a live expired certificate
            // does not block an unrelated change.
            try put(try pki.text("expired.pem") + pki.text("int.pem"), live + "/mx.pem")
            try put(try pki.text("mx.key"), live + "/mx.key")
            try put(try pki.text("expired.pem") + pki.text("int.pem"), stage + "/mx.pem")
            try put(try pki.text("mx.key"), stage + "/mx.key")
            r = try check(stage: stage, live: live, settings: ca)
            #expect(r.status == 0, "\(r.stderr)")
        }
    }

    @Test func chainFilesAndServiceOverridesAreCheckedAsSmtpdReadsThem() throws {
        try withTemporaryDirectory { root in
            let pki = try PKI(in: root)
            let (live, stage) = try directories(root, chainFiles: true)
            let ca = TLSStageCheck.Settings(caPEM: try pki.text("root.pem"))
            try pki.leaf("good")
            // smtpd_tls_chain_files: the key first, then the certificate and its chain.
            try put(try pki.text("mx.key") + pki.text("good.pem") + pki.text("int.pem"), stage + "/chain.pem")
            var r = try check(stage: stage, live: live, settings: ca)
            #expect(r.status == 0, "\(r.stderr)")
            try put(try pki.text("other.key") + pki.text("good.pem") + pki.text("int.pem"), stage + "/chain.pem")
            r = try check(stage: stage, live: live, settings: ca)
            #expect(r.status == 1 && r.stderr.contains("\(live)/chain.pem (main.cf): the private key does not match"), "\(r.stderr)")

            // A submission service with its own certificate: checked as that service.
            try put(try pki.text("mx.key") + pki.text("good.pem") + pki.text("int.pem"), stage + "/chain.pem")
            try pki.leaf("sub", name: "mx1.example.net", days: 0)
            try put(try pki.text("sub.pem") + pki.text("int.pem"), stage + "/sub.pem")
            try write("smtp inet n - y - - smtpd\nsubmission inet n - y - - smtpd -o smtpd_tls_chain_files= -o smtpd_tls_cert_file=\(live)/sub.pem -o smtpd_tls_key_file=\(live)/chain.pem\n",
                      to: stage + "/master.cf")
            r = try check(stage: stage, live: live, settings: ca)
            #expect(r.status == 1 && r.stderr.contains("\(live)/sub.pem (submission/inet): the certificate (CN = mx1.example.net) expired"), "\(r.stderr)")
            #expect(!r.stderr.contains("(main.cf)"), "\(r.stderr)")
        }
    }

    @Test func noCertificateConfiguredChecksNothing() throws {
        try withTemporaryDirectory { root in
            let live = root + "/live", stage = root + "/stage"
            for dir in [live, stage] {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try write("compatibility_level = 3.6\n", to: dir + "/main.cf")
                try write("smtp inet n - y - - smtpd\n", to: dir + "/master.cf")
            }
            let r = try check(stage: stage, live: live, settings: TLSStageCheck.Settings())
            #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        }
    }
}
