import ShellQuoting

/// One round trip that reads, for every instance of a host, the certificate each of its
/// listening TCP sockets actually serves and the one its configuration names on disk.
///
/// The sockets are the ones the instance's master holds (``MasterSockets``): exactly what
/// listens, loopback re-injection ports included. Each is asked from the host
/// itself with `openssl s_client -starttls smtp` (a wildcard socket through 127.0.0.1 or
/// ::1), as a sending MTA would, with the instance's `myhostname` as SNI; one that sends no
/// SMTP greeting within 5 s is asked again with TLS from the first byte
/// (`smtpd_tls_wrappermode`, the submissions port 465). A plain SMTP listener is never sent
/// a TLS handshake unasked, so the tls probe leaves no "non-SMTP command" in its log. The configured
/// certificate is the first in `smtpd_tls_chain_files`, or without it in `smtpd_tls_cert_file`,
/// as smtpd reads them (values expanded: `$config_directory/mx.pem`); only
/// the files' CERTIFICATE blocks leave the host (a chain file holds the private key too).
///
/// Records (``MarkedOutput``): `list STATUS` with `postmulti -l`; per instance
/// `instance DIR running|stopped` with its myhostname, `configured DIR` with certificate
/// blocks; per socket `listener DIR ADDRESS PORT` with what it served (certificate blocks),
/// followed by `notls DIR ADDRESS PORT` with s_client's last words when it served none;
/// `noopenssl` when the host has no openssl; `end` last.
public enum TLSProbe {
    /// The shell functions the tls probe and the health gate's `tls` check share (POSIX sh;
    /// ``MasterSockets/functions`` defined before them):
    /// - `pf_certs`: the CERTIFICATE blocks of its stdin;
    /// - `pf_tls_instance DIR`: the instance's `queue_directory`, `myhostname`,
    ///   `smtpd_tls_cert_file` and `smtpd_tls_chain_files` (one postconf) in `$pf_q`, `$pf_h`,
    ///   `$pf_cf`, `$pf_cc`;
    /// - `pf_tls_configured`: the certificate blocks of the files `$pf_cc` names, or when it is
    ///   empty `$pf_cf` (smtpd ignores the cert file when chain files are set; the first block
    ///   is the configured leaf). Values are expanded (`$config_directory/mx.pem`);
    /// - `pf_tls_ask ADDRESS PORT SERVERNAME TMP`: asks one listening socket (`pf_sockets`'s
    ///   words; a wildcard through 127.0.0.1 or [::1]) for its certificate with `s_client
    ///   -starttls smtp`, and when it sends no SMTP greeting within 5 s, with TLS from the
    ///   first byte; s_client's stdout in `TMP/o`, what it said in `TMP/oe` (`TMP/w` is
    ///   scratch). Succeeds when a certificate came.
    public static let functions = """
        pf_certs() { sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p'; }
        pf_tls_instance() {
          { IFS= read -r pf_q; IFS= read -r pf_h; IFS= read -r pf_cf; IFS= read -r pf_cc; } <<EOF
        $(postconf -c "$1" -xh queue_directory myhostname smtpd_tls_cert_file smtpd_tls_chain_files 2>/dev/null)
        EOF
        }
        pf_tls_configured() {
          pf_fs=$pf_cc; [ -n "$pf_fs" ] || pf_fs=$pf_cf
          for pf_f in $(printf '%s' "$pf_fs" | tr ',' ' '); do
            [ -r "$pf_f" ] && pf_certs <"$pf_f"
          done
        }
        pf_tls_ask() {
          pf_c=$1
          case $1 in 0.0.0.0|'*') pf_c=127.0.0.1;; '[::]') pf_c='[::1]';; esac
          timeout 5 openssl s_client -connect "$pf_c:$2" -starttls smtp -servername "$3" </dev/null >"$4/o" 2>"$4/oe"; pf_r=$?
          if [ "$pf_r" = 124 ] && ! grep -q 'BEGIN CERTIFICATE' "$4/o"; then
            timeout 10 openssl s_client -connect "$pf_c:$2" -servername "$3" </dev/null >"$4/w" 2>/dev/null
            if grep -q 'BEGIN CERTIFICATE' "$4/w"; then mv -f "$4/w" "$4/o"; else echo "no SMTP greeting within 5 s, and no TLS from the first byte" >>"$4/oe"; fi
          fi
          grep -q 'BEGIN CERTIFICATE' "$4/o"
        }
        """

    public static let script = """
        export LC_ALL=C
        \(MarkedOutput.functions)
        \(MasterSockets.functions)
        \(functions)
        t=$(mktemp -d) || { echo 'postfleet: mktemp -d failed' >&2; exit 70; }
        trap 'rm -rf "$t"' EXIT
        if postmulti -l >"$t/l" 2>"$t/e"; then mark list 0; mark_body <"$t/l"; else mark list $?; mark_body <"$t/e"; mark end; exit 0; fi
        command -v openssl >/dev/null 2>&1 || { mark noopenssl; mark end; exit 0; }
        while read -r n g e d; do
          pf_tls_instance "$d"
          if pf_master "$pf_q"; then p=$pf_pid; mark instance "$d" running; else p=; mark instance "$d" stopped; fi
          mark_line "$pf_h"
          mark configured "$d"
          pf_tls_configured | mark_body
          [ -n "$p" ] || continue
          pf_sockets "$p" >"$t/s"
          while read -r a port; do
            mark listener "$d" "$a" "$port"
            if pf_tls_ask "$a" "$port" "$pf_h" "$t"; then
              pf_certs <"$t/o" | mark_body
            else
              mark notls "$d" "$a" "$port"; { tail -n 3 "$t/oe"; tail -n 2 "$t/o"; } | mark_body
            fi
          done <"$t/s"
        done <"$t/l"
        mark end
        """

    /// One listening socket and what it served.
    public struct Listener: Sendable, Hashable {
        /// As `ss` shows it: `198.18.0.1`, `127.0.0.1`, `0.0.0.0`, `[::1]`.
        public var address: String
        public var port: String
        /// The certificate blocks it presented (the leaf first); empty when it presented none.
        public var servedPEM: String
        /// s_client's last words when it presented no certificate.
        public var failure: String?

        /// `198.18.0.1:25`, `[::1]:25`.
        public var endpoint: String { "\(address):\(port)" }
    }

    public struct Instance: Sendable {
        public var facts: InstanceFacts
        public var running: Bool
        public var hostname: String
        /// The configured certificate blocks (the first is the leaf); empty when none is configured.
        public var configuredPEM: String
        public var listeners: [Listener]

        public var name: String { facts.name ?? PostfixInstance.defaultName }
    }

    /// What the probe found on a host.
    public struct Result: Sendable {
        public var instances: [Instance] = []
        /// `postmulti -l`'s failure.
        public var listFailure: String?
        /// The host has no openssl(1): served certificates could not be read.
        public var noOpenSSL = false
    }

    /// What s_client's last words mean, in a few words.
    static func failure(_ said: [Substring]) -> String {
        if said.contains(where: { $0.contains("Didn't find STARTTLS") }) { return "does not offer STARTTLS" }
        if said.contains(where: { $0.contains("Connection refused") }) { return "connection refused" }
        if let error = said.first(where: { $0.contains(":error:") }) {
            // 80AB...:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:...
            let fields = error.split(separator: ":")
            return "TLS handshake failed" + (fields.count > 5 ? ": " + fields[5] : "")
        }
        let text = said.map(String.init).filter { !$0.isEmpty && $0 != "---" }.joined(separator: "; ")
        return text.isEmpty ? "no certificate presented" : text
    }

    /// Reads the probe's output; throws when it does not say what the probe always says.
    public static func read(_ stdout: String, host: String) throws(PostfixParseError) -> Result {
        let output = MarkedOutput(stdout)
        var result = Result()
        var facts: [String: InstanceFacts] = [:]
        func fail(_ message: String) -> PostfixParseError {
            PostfixParseError(source: "postfleet tls probe on \(host)", line: 0, message: message, text: "")
        }
        guard output.records.contains(where: { $0.kind == "end" }) else { throw fail("the output ended before the probe did") }
        for record in output.records {
            let words = record.words.map(String.init)
            switch record.kind {
            case "list":
                let text = record.body.joined(separator: "\n")
                guard words.first == "0" else {
                    result.listFailure = "postmulti -l failed (exit status \(words.first ?? "?")): \(text)"
                    continue
                }
                for instance in try PostmultiListing.parse(text) { facts[instance.configDirectory] = instance }
            case "instance":
                guard words.count == 2, let known = facts[words[0]] else { throw fail("an instance record for an instance postmulti did not list: \(record.rest)") }
                result.instances.append(Instance(facts: known, running: words[1] == "running",
                                                 hostname: record.body.first.map(String.init) ?? "", configuredPEM: "", listeners: []))
            case "configured":
                guard let last = result.instances.indices.last, words.first == result.instances[last].facts.configDirectory else {
                    throw fail("a configured record out of place: \(record.rest)")
                }
                result.instances[last].configuredPEM = record.body.joined(separator: "\n")
            case "listener", "notls":
                guard words.count == 3, let last = result.instances.indices.last, words[0] == result.instances[last].facts.configDirectory else {
                    throw fail("a \(record.kind) record out of place: \(record.rest)")
                }
                if record.kind == "listener" {
                    result.instances[last].listeners.append(Listener(address: words[1], port: words[2],
                                                                     servedPEM: record.body.joined(separator: "\n")))
                } else if let l = result.instances[last].listeners.indices.last {
                    result.instances[last].listeners[l].failure = failure(record.body)
                }
            case "noopenssl":
                result.noOpenSSL = true
            default:
                break
            }
        }
        return result
    }
}
