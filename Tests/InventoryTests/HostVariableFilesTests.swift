import Foundation
import Testing

@testable import Inventory

/// host_vars/ is listed once, and only the hosts a name there may belong to are looked up
/// (``VariableFiles/Listing``): every file that was found before must still be found.
@Suite struct HostVariableFilesTests {
    static let inventory = "[border]\nmta1\nmta2\nmta3\nmta4\nmtä5\nmta6\n"

    @Test func everyFormOfAHostsFileIsStillFound() throws {
        let inventory = try withFiles([
            "hosts": Self.inventory,
            "host_vars/mta1": "form: bare\n",
            "host_vars/mta2.yaml": "form: yaml\n",
            "host_vars/mta3/main.yml": "form: directory\n",
            "host_vars/mtä5.yml": "form: not ascii\n",
            "elsewhere/mta4.yml": "form: link\n",
            // A name that only differs in case is another name on this file system.
            "host_vars/MTA6.yml": "form: upper case\n",
        ]) { directory in
            try FileManager.default.createSymbolicLink(
                atPath: directory + "/host_vars/mta4.yml", withDestinationPath: directory + "/elsewhere/mta4.yml")
            return try Inventory.load(path: directory + "/hosts")
        }
        let forms = inventory.hosts.map { $0.vars["form"]?.stringValue ?? "-" }
        let caseSensitive = !FileManager.default.fileExists(atPath: FileManager.default.temporaryDirectory.path.uppercased())
        #expect(forms == ["bare", "yaml", "directory", "link", "not ascii", caseSensitive ? "-" : "upper case"])
    }

    @Test func aLinkToNothingIsPassedOverAsBefore() throws {
        let inventory = try withFiles(["hosts": Self.inventory, "host_vars/mta1.yaml": "form: yaml\n"]) { directory in
            try FileManager.default.createSymbolicLink(atPath: directory + "/host_vars/mta1.yml", withDestinationPath: directory + "/nothing")
            return try Inventory.load(path: directory + "/hosts")
        }
        #expect(inventory.host(named: "mta1")?.vars["form"] == "yaml")
    }

    @Test func theListingSaysWhichNamesMayHaveAFile() {
        let listing = VariableFiles.Listing(names: ["mta1", "mta2.yml", "mta3.json", "a.b.yaml"])
        #expect(listing.mayHold("mta1") && listing.mayHold("mta2") && listing.mayHold("MTA3") && listing.mayHold("a.b"))
        #expect(!listing.mayHold("mta4") && !listing.mayHold("mta2.yml.yml") && !listing.mayHold("a"))
        // Not sure: looked up as before.
        #expect(listing.mayHold("mtä4") && listing.mayHold("a/b") && VariableFiles.Listing(names: nil).mayHold("x"))
    }
}
