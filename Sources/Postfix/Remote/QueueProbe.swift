import ShellQuoting

/// One round trip that lists every selected instance's queue on a host, and the streaming
/// reader of its output.
///
/// The script runs `postmulti -l` for the selection, then `postqueue -c DIR -j` for each
/// instance listed, in turn, its lines passed through as they come (showq writes one message
/// per line; nothing on the host holds a whole queue). Its stdout, in ``MarkedOutput``'s
/// records:
///
/// - `list STATUS`: the body is `postmulti -l`'s output (STATUS 0) or its error;
/// - `queue DIR`: the body is `postqueue -c DIR -j`'s lines;
/// - `end DIR STATUS`: postqueue's exit status; the body is what it said on stderr.
///
/// A stopped instance's queue is listed too: postqueue then reads the queue directory
/// itself ("Mail system is down -- accessing queue directly").
public enum QueueProbe {
    public static func script(_ target: PostmultiCommand.Target) -> String {
        let list = Shell.join(["postmulti", "-l"] + target.arguments)
        return """
            export LC_ALL=C
            \(MarkedOutput.functions)
            t=$(mktemp -d) || { echo 'postfleet: mktemp -d failed' >&2; exit 70; }
            trap 'rm -rf "$t"' EXIT
            trap 'exit 1' HUP INT TERM
            if \(list) >"$t/l" 2>"$t/e"; then mark list 0; mark_body <"$t/l"; else mark list $?; mark_body <"$t/e"; exit 0; fi
            for d in $(awk '{ print $4 }' "$t/l"); do
              mark queue "$d"
              { postqueue -c "$d" -j </dev/null 2>"$t/e"; echo $? >"$t/r"; } | mark_body
              read -r r <"$t/r"; mark end "$d" "$r"; [ ! -s "$t/e" ] || mark_body <"$t/e"
            done
            """
    }

    /// One instance's queue as the probe read it.
    public struct InstanceQueue: Sendable {
        public var instance: InstanceFacts
        public var summary: QueueSummary
        /// postqueue's exit status, and what it said on stderr when that was not 0.
        public var failure: String?
        /// Whether postqueue's end was seen.
        public internal(set) var complete = false

        /// The instance's name as reports show it (`-` for the default).
        public var name: String { instance.name ?? PostfixInstance.defaultName }
    }

    /// Reads the probe's stdout as it arrives: lines are split here, each message folded into
    /// its instance's ``QueueSummary`` and handed to `each`, then forgotten. Memory is one
    /// line, plus the summaries' bounded tallies.
    public struct Reader {
        public private(set) var instances: [InstanceQueue] = []
        /// `postmulti -l`'s failure, when it failed.
        public private(set) var listFailure: String?
        private let now: Int64
        private let host: String
        private let each: ((InstanceQueue, QueuedMessage) throws -> Void)?
        private var pending: [UInt8] = []
        private var state: State = .outside
        private var listing: [Substring] = []
        private var sawList = false

        private enum State {
            case outside
            case list(ok: Bool)
            case queue(Int, QueueListingReader)
            case end(Int)
        }

        /// `now` is the time ages are measured from; `host` names the output in errors.
        public init(now: Int64, host: String, each: ((InstanceQueue, QueuedMessage) throws -> Void)? = nil) {
            self.now = now
            self.host = host
            self.each = each
        }

        public mutating func feed(_ bytes: some Collection<UInt8>) throws {
            pending.append(contentsOf: bytes)
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                try line(pending[start..<newline])
                start = newline + 1
            }
            pending.removeSubrange(..<start)
        }

        /// The output ended; throws when it did not say what the probe always says.
        public mutating func finish() throws {
            if !pending.isEmpty { try line(pending[...]) }
            pending = []
            try closeList()
            guard sawList else {
                throw PostfixParseError(source: "postfleet queue probe on \(host)", line: 0,
                                        message: "the host's output has no postmulti -l listing", text: "")
            }
            if let missing = instances.first(where: { !$0.complete }) {
                throw PostfixParseError(source: "postqueue -c \(missing.instance.configDirectory) -j on \(host)", line: 0,
                                        message: "the listing ended before postqueue did", text: "")
            }
        }

        private mutating func line(_ bytes: ArraySlice<UInt8>) throws {
            let marker = MarkedOutput.marker.utf8
            if bytes.starts(with: marker) {
                try closeList()
                let text = String(decoding: bytes.dropFirst(marker.count), as: UTF8.self)
                let words = text.split(separator: " ", omittingEmptySubsequences: false)
                switch words.first {
                case "list":
                    sawList = true
                    state = .list(ok: words.count > 1 && words[1] == "0")
                case "queue":
                    let directory = words.dropFirst().joined(separator: " ")
                    guard let index = instances.firstIndex(where: { $0.instance.configDirectory == directory }) else {
                        throw PostfixParseError(source: "postfleet queue probe on \(host)", line: 0,
                                                message: "a queue of an instance postmulti -l did not list", text: text)
                    }
                    state = .queue(index, QueueListingReader(source: "postqueue -c \(directory) -j on \(host)"))
                case "end":
                    let status = words.last.map(String.init) ?? "?"
                    let directory = words.dropFirst().dropLast().joined(separator: " ")
                    guard let index = instances.firstIndex(where: { $0.instance.configDirectory == directory }) else {
                        state = .outside
                        return
                    }
                    instances[index].complete = true
                    if status != "0" { instances[index].failure = "postqueue exited with status \(status)" }
                    state = .end(index)
                default:
                    state = .outside
                }
                return
            }
            let prefix = MarkedOutput.bodyPrefix.utf8
            guard bytes.starts(with: prefix) || bytes.elementsEqual("|".utf8) else { return }
            let body = bytes.dropFirst(min(bytes.count, prefix.count))
            switch state {
            case .outside: break
            case .list: listing.append(Substring(decoding: body, as: UTF8.self))
            case .queue(let index, var reader):
                let message = try reader.read(line: body)
                state = .queue(index, reader)
                guard let message else { return }
                instances[index].summary.add(message)
                try each?(instances[index], message)
            case .end(let index):
                if let failure = instances[index].failure, failure.count < 2000 {
                    instances[index].failure = failure + (failure.contains(": ") ? "; " : ": ") + String(decoding: body, as: UTF8.self)
                }
            }
        }

        /// At the end of the `list` record: its instances, or its failure.
        private mutating func closeList() throws {
            guard case let .list(ok) = state else { return }
            state = .outside
            let text = listing.joined(separator: "\n")
            listing = []
            guard ok else {
                listFailure = "postmulti -l failed: " + text.split(separator: "\n").joined(separator: "; ")
                return
            }
            instances = try PostmultiListing.parse(text).map { InstanceQueue(instance: $0, summary: QueueSummary(now: now)) }
        }
    }
}
