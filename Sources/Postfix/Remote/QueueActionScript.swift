import ShellQuoting

/// What `postfleet queue ACTION` does to the messages a selector chose.
public enum QueueAction: String, Sendable, Hashable, CaseIterable {
    case hold, release, requeue, flush, delete

    /// postsuper's option; nil for flush, which is postqueue's.
    var postsuperOption: String? {
        switch self {
        case .hold: "-h"
        case .release: "-H"
        case .requeue: "-r"
        case .delete: "-d"
        case .flush: nil
        }
    }

    /// The past tense a report uses: held, released, requeued, flushed, deleted.
    public var done: String {
        switch self {
        case .hold: "held"
        case .release: "released"
        case .requeue: "requeued"
        case .flush: "flushed"
        case .delete: "deleted"
        }
    }

    /// Whether a message present before the action is where this action puts it, by where it is
    /// after (nil: no longer in the queue).
    func succeeded(after: QueueName?) -> Bool? {
        switch self {
        case .hold: after == .hold ? true : after == nil ? nil : false
        case .release: after != .hold
        // Requeued or flushed, a message may be delivered at once: gone from the queue is done.
        case .requeue, .flush: true
        case .delete: after == nil
        }
    }
}

/// One round trip that acts on exact queue ids, instance by instance, and reads back where each
/// of them is before and after, so the report says what moved rather than what was asked.
///
/// The ids travel on stdin, one a line, every instance's after the previous one's; the script
/// keeps them in a file and gives each instance its lines: `postsuper -c DIR -h|-H|-r|-d -`
/// reads them on its stdin, and flush runs `postqueue -c DIR -i ID` for each (or
/// `postqueue -c DIR -f` when the whole queue was selected). Nothing but those ids is touched.
/// Records per instance: `before DIR` and `after DIR` (body: `ID QUEUE` for every selected id
/// still queued), `act DIR STATUS` (body: the command's output).
public enum QueueActionScript {
    /// One instance's share of the work.
    public struct Work: Sendable, Hashable {
        public var configDirectory: String
        public var ids: [String]
        /// Every message of the instance was selected: flush runs `postqueue -f`.
        public var wholeQueue: Bool

        public init(configDirectory: String, ids: [String], wholeQueue: Bool = false) {
            self.configDirectory = configDirectory
            self.ids = ids
            self.wholeQueue = wholeQueue
        }
    }

    /// The script and its stdin. Every id must be a ``QueueSelector/isQueueID(_:)``.
    public static func script(_ action: QueueAction, _ work: [Work]) -> (script: String, stdin: [UInt8]) {
        precondition(work.allSatisfy { $0.ids.allSatisfy(QueueSelector.isQueueID) })
        var lines = """
            export LC_ALL=C
            \(MarkedOutput.functions)
            t=$(mktemp -d) || { echo 'postfleet: mktemp -d failed' >&2; exit 70; }
            trap 'rm -rf "$t"' EXIT
            trap 'exit 1' HUP INT TERM
            cat >"$t/ids"
            st() {
              postqueue -c "$1" -j </dev/null 2>/dev/null | awk -v f="$t/k" '
                BEGIN { while ((getline l < f) > 0) want[l] = 1 }
                match($0, /"queue_id": *"[0-9A-Za-z]+"/) {
                  id = substr($0, RSTART, RLENGTH); sub(/^"queue_id": *"/, "", id); sub(/"$/, "", id)
                  if (!(id in want)) next
                  q = "?"; if (match($0, /"queue_name": *"[a-z]+"/)) { q = substr($0, RSTART, RLENGTH); sub(/^"queue_name": *"/, "", q); sub(/"$/, "", q) }
                  print id, q
                }'
            }

            """
        var first = 1
        for item in work where !item.ids.isEmpty {
            let last = first + item.ids.count - 1
            let d = Shell.quote(item.configDirectory)
            let act: String
            switch action.postsuperOption {
            case let option?: act = "postsuper -c \(d) \(option) - <\"$t/k\" >\"$t/o\" 2>&1"
            case nil where item.wholeQueue: act = "postqueue -c \(d) -f </dev/null >\"$t/o\" 2>&1"
            case nil: act = "rc=0; while read -r id; do postqueue -c \(d) -i \"$id\" </dev/null || rc=$?; done <\"$t/k\" >\"$t/o\" 2>&1; (exit $rc)"
            }
            lines += """
                sed -n '\(first),\(last)p' "$t/ids" >"$t/k"
                mark before \(d); st \(d) | mark_body
                \(act); mark act \(d) $?; mark_body <"$t/o"
                mark after \(d); st \(d) | mark_body

                """
            first = last + 1
        }
        let stdin = work.flatMap(\.ids).map { $0 + "\n" }.joined()
        return (lines, Array(stdin.utf8))
    }

    /// What happened to one instance's selected messages.
    public struct Outcome: Sendable, Hashable {
        public var selected: Int
        /// Present before and where the action puts them after (for delete: no longer queued).
        public var done: Int
        /// No longer queued when the action came (delivered, expired or deleted meanwhile), or
        /// gone during a hold: not an error.
        public var gone: Int
        /// Present before and not where the action should have put them: the action failed for them.
        public var notDone: [String]
        /// The command's exit status and output when it was not 0.
        public var failure: String?

        public var failed: Bool { !notDone.isEmpty || failure != nil }
    }

    /// Each instance's outcome from the script's output, in `work`'s order (an instance with
    /// no ids has none). Throws when an instance's records are missing.
    public static func outcomes(_ action: QueueAction, _ work: [Work], output: MarkedOutput, host: String) throws -> [String: Outcome] {
        func positions(_ kind: String, _ directory: String) throws -> [String: QueueName?] {
            guard let record = output.records.first(where: { $0.kind == kind && $0.rest == directory }) else {
                throw PostfixParseError(source: "postfleet queue \(action.rawValue) on \(host)", line: 0,
                                        message: "no '\(kind)' record for \(directory): the script stopped early", text: "")
            }
            var seen: [String: QueueName?] = [:]
            for line in record.body {
                let words = line.split(separator: " ")
                guard words.count == 2 else { continue }
                seen[String(words[0])] = QueueName(rawValue: String(words[1]))
            }
            return seen
        }
        var result: [String: Outcome] = [:]
        for item in work where !item.ids.isEmpty {
            let before = try positions("before", item.configDirectory)
            let after = try positions("after", item.configDirectory)
            guard let act = output.records.first(where: { $0.kind == "act" && $0.words.dropLast().joined(separator: " ") == item.configDirectory }) else {
                throw PostfixParseError(source: "postfleet queue \(action.rawValue) on \(host)", line: 0,
                                        message: "no 'act' record for \(item.configDirectory): the script stopped early", text: "")
            }
            var outcome = Outcome(selected: item.ids.count, done: 0, gone: 0, notDone: [], failure: nil)
            for id in item.ids {
                guard before[id] != nil else {
                    outcome.gone += 1
                    continue
                }
                switch action.succeeded(after: after[id] ?? nil) {
                case true?: outcome.done += 1
                case nil: outcome.gone += 1
                case false?: outcome.notDone.append(id)
                }
            }
            if let status = act.words.last, status != "0" {
                let said = act.body.map(String.init).filter { !$0.isEmpty }.prefix(5).joined(separator: "; ")
                outcome.failure = "exited with status \(status)" + (said.isEmpty ? "" : ": \(said)")
            }
            result[item.configDirectory] = outcome
        }
        return result
    }
}
