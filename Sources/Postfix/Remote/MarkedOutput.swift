/// The one protocol by which a remote script reports to the controller: marker lines and
/// prefixed body lines on stdout, written on the host by the shell functions in
/// ``functions`` and read here by ``init(_:)``.
///
/// - A marker line is `@@postfleet KIND [WORDS...]`; it starts a record. The writer puts an
///   empty line before it, so a marker starts a line even after output that did not end
///   with a newline.
/// - Every line of a record's body is prefixed with `| ` (an empty line as `| `), so no
///   payload line, whatever its text, can ever be read as a marker: a table line
///   `@@postfleet end` arrives as `| @@postfleet end`.
/// - Any other line (the empty lines before markers, a stray line from a login script) is
///   not part of any record.
public struct MarkedOutput: Sendable {
    public static let marker = "@@postfleet "
    public static let bodyPrefix = "| "

    /// One marker line and the body lines after it.
    public struct Record: Sendable, Equatable {
        /// The marker's first word: `step`, `end`, `instance`, `file`, `gate`.
        public var kind: Substring
        /// The marker line after the kind and one space, as written (a path may hold spaces).
        public var rest: Substring
        /// The body lines, prefix removed.
        public var body: [Substring]

        /// `rest` split on spaces.
        public var words: [Substring] { rest.split(separator: " ") }
        /// The marker line after `@@postfleet `: `kind`, and `rest` after a space when it has one.
        public var key: String { rest.isEmpty ? String(kind) : kind + " " + rest }
    }

    /// Every record, in the order the script wrote them.
    public let records: [Record]

    /// Reads a script's stdout.
    public init(_ stdout: String) {
        var records: [Record] = []
        // Lines end at the byte LF, as the host's shell and awk end them; a Character-wise
        // split would keep a CR LF together, one grapheme, and cost a tenth of a run's CPU.
        for bytes in stdout.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let line = Substring(bytes)
            if line.hasPrefix(Self.marker) {
                let text = line.dropFirst(Self.marker.count)
                let space = text.firstIndex(of: " ")
                records.append(Record(kind: text[..<(space ?? text.endIndex)],
                                      rest: space.map { text[text.index(after: $0)...] } ?? text[text.endIndex...], body: []))
            } else if !records.isEmpty, line.hasPrefix(Self.bodyPrefix) || line == "|" {
                records[records.count - 1].body.append(line.dropFirst(2))
            }
        }
        self.records = records
    }

    /// The records of one kind, in order.
    public func records(_ kind: String) -> [Record] { records.filter { $0.kind == kind } }

    // MARK: The host side

    /// The writer, as shell function definitions for the top of a script (POSIX sh; only
    /// shell built-ins except `body`'s one sed):
    /// - `mark KIND [WORDS...]`: a marker line (the words joined by single spaces, whatever `IFS` is);
    /// - `mark_line [VALUE...]`: each value as one body line;
    /// - `mark_body`: its stdin as body lines (`mark_body <FILE`, `COMMAND | mark_body`).
    public static let functions = """
        mark() { printf '\\n\(marker)%s' "$1"; shift; [ $# -eq 0 ] || printf ' %s' "$@"; printf '\\n'; }
        mark_line() { printf '\(bodyPrefix)%s\\n' "$@"; }
        mark_body() { sed 's/^/\(bodyPrefix)/'; }
        """

    /// One `awk` that writes each file named by `arguments` (shell words, e.g. `"$cf"` or
    /// quoted paths) as a record `file PATH` whose body is the file's lines; a file that
    /// cannot be read has an empty body. One process for every file.
    public static func files(_ arguments: String) -> String {
        files(arguments, keeping: "")
    }

    /// ``files(_:)`` for main.cf and master.cf files: the lines Postfix ignores are left out
    /// (postconf(5), master(5): empty lines, lines of whitespace only, lines whose first
    /// character that is not whitespace is `#`; even between a line and the lines that
    /// continue it). What Postfix reads of the file, and so what ``MainCF`` and ``MasterCF``
    /// read, is the same; the text sent is about a third of Debian's stock files.
    public static func configFiles(_ arguments: String) -> String {
        files(arguments, keeping: "if (l !~ /^[ \\t\\r\\f\\v]*(#|$)/) ")
    }

    /// The `awk` of both: `keeping` is the awk test (with its space) a line must pass to be sent.
    private static func files(_ arguments: String, keeping: String) -> String {
        "awk 'BEGIN { for (i = 1; i < ARGC; i++) { print \"\(marker)file \" ARGV[i]; while ((getline l < ARGV[i]) > 0) \(keeping)print \"\(bodyPrefix)\" l; close(ARGV[i]) } }' "
            + arguments
    }
}
