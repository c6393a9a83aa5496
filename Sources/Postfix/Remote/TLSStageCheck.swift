import ShellQuoting

/// The apply script's check of the certificates a staged configuration serves, before any
/// of it goes live: the step after ``ConfigCheck``, run on the host with openssl(1).
///
/// The certificate material is read as smtpd reads it: `smtpd_tls_chain_files` when set (a
/// key, then its certificate and chain, in one or more files), otherwise
/// `smtpd_tls_cert_file` (the certificate, then its chain) with `smtpd_tls_key_file` (by
/// default the certificate's own file), from main.cf and from every master.cf service that
/// overrides one of them with `-o`. A file of the live directory that the stage holds is
/// read in the stage. Material whose bytes, paths' contents and names to cover are the same
/// as live is not checked again: a change elsewhere in the instance is never refused for a
/// certificate it does not touch.
///
/// Each changed certificate must:
/// - match its private key (the public key of both is the same);
/// - be valid now, and still in `validFor` seconds;
/// - chain to a trusted root (`openssl verify -purpose sslserver`, the file's further
///   certificates as the untrusted chain): the roots of `caPEM` only, or the host's system
///   store when nil;
/// - cover each of `names` (`openssl x509 -checkhost`); empty: the configuration's
///   `myhostname` (the service's own when it overrides it).
///
/// It prints one line per failure on stderr, naming the live path, and returns 1; it
/// changes nothing.
public enum TLSStageCheck {
    public struct Settings: Sendable, Equatable {
        public var caPEM: String?
        public var validFor: Int
        public var names: [String]

        public init(caPEM: String? = nil, validFor: Int = 14 * 86_400, names: [String] = []) {
            self.caPEM = caPEM
            self.validFor = validFor
            self.names = names
        }
    }

    /// The step's shell lines, in a subshell (it exits); ``functions`` must be defined
    /// before (once per script: the apply script's prologue).
    public static func lines(stage: String, live: String, settings: Settings) -> [String] {
        let ca = settings.caPEM.map { "printf '%s\\n' \(Shell.quote($0)) >\"$w/ca.pem\"; roots='-CAfile '\"$w/ca.pem\"' -no-CApath -no-CAstore'" }
            ?? "roots="
        return ["(", """
            set -f; us=$(printf '\\037'); s=\(Shell.quote(stage)); l=\(Shell.quote(live)); vf=\(settings.validFor); names=\(Shell.quote(settings.names.joined(separator: " ")))
            w=$(mktemp -d) || exit 1; trap 'rm -rf "$w"' EXIT
            tls_material "$s" >"$w/new"; tls_material "$l" >"$w/old"
            fail=0; checked=0
            while IFS=$us read -r where c k ch h; do
              [ -n "$c$ch" ] || continue
              names_here=${names:-$h}
              sum=$(tls_sum tls_in_stage "$c" "$k" "$ch" "$names_here")
              old=$(awk -F"$us" -v w="$where" '$1 == w' "$w/old" | head -n 1)
              if [ -n "$old" ]; then
                IFS=$us read -r _ oc ok och oh <<EOF
            $old
            EOF
                [ "$sum" != "$(tls_sum echo "$oc" "$ok" "$och" "${names:-$oh}")" ] || continue
              fi
              if [ "$checked" = 0 ]; then
                command -v openssl >/dev/null 2>&1 || { echo "openssl(1) is not installed on the host: the new certificate cannot be checked (Debian: apt install openssl)" >&2; exit 1; }
                \(ca)
                checked=1
              fi
              tls_check "$where" "$c" "$k" "$ch" "$names_here" </dev/null || fail=1
            done <"$w/new"
            exit $fail
            """, ")"]
    }

    /// The shell functions: `tls_material DIR` lists `WHERE<TAB>CERT<TAB>KEY<TAB>CHAINS<TAB>MYHOSTNAME`
    /// for main.cf and each service that overrides a TLS file; `tls_sum MAP ...` fingerprints the contents a
    /// line names (paths through MAP); `tls_check` checks it.
    public static let functions = #"""
        tls_material() {
          { IFS= read -r c; IFS= read -r k; IFS= read -r ch; IFS= read -r h; } <<EOF
        $(postconf -c "$1" -xh smtpd_tls_cert_file smtpd_tls_key_file smtpd_tls_chain_files myhostname 2>/dev/null)
        EOF
          kn=$(postconf -c "$1" -nh smtpd_tls_key_file 2>/dev/null)
          printf 'main.cf\037%s\037%s\037%s\037%s\n' "$c" "$k" "$ch" "$h"
          postconf -c "$1" -xP 2>/dev/null | awk -v c="$c" -v k="$k" -v kn="$kn" -v ch="$ch" -v h="$h" '
            { i = index($0, " ="); n = split(substr($0, 1, i - 1), p, "/"); s = p[1] "/" p[2]; v = substr($0, i + 3) }
            p[3] == "smtpd_tls_cert_file" { C[s] = v; S[s] = 1 }
            p[3] == "smtpd_tls_key_file" { K[s] = v; S[s] = 1 }
            p[3] == "smtpd_tls_chain_files" { CH[s] = v; S[s] = 1 }
            p[3] == "myhostname" { H[s] = v }
            END { for (s in S) printf "%s\037%s\037%s\037%s\037%s\n", s, (s in C) ? C[s] : c, (s in K) ? K[s] : ((s in C) && kn == "" ? C[s] : k), (s in CH) ? CH[s] : ch, (s in H) ? H[s] : h }'
        }
        tls_in_stage() {
          case $1 in "$l"/*) if [ -e "$s/${1#"$l"/}" ]; then printf '%s\n' "$s/${1#"$l"/}"; return; fi;; esac
          printf '%s\n' "$1"
        }
        tls_shown() {
          case $1 in "$s"/*) printf '%s\n' "$l/${1#"$s"/}";; *) printf '%s\n' "$1";; esac
        }
        tls_files() {
          if [ -n "$3" ]; then printf '%s\n' $(printf '%s' "$3" | tr ',' ' '); else printf '%s\n' "$1"; [ "$2" = "$1" ] || printf '%s\n' "$2"; fi
        }
        tls_sum() {
          m=$1; shift
          { tls_files "$1" "$2" "$3" | while read -r f; do cat -- "$($m "$f")" 2>/dev/null || echo "(none) $f"; done; printf '%s\n' "$4"; } | cksum
        }
        tls_check() {
          where=$1; bad=0; at="($where)"
          : >"$w/all"; : >"$w/keyfile"
          for f in $(tls_files "$2" "$3" "$4"); do
            g=$(tls_in_stage "$f")
            if [ ! -r "$g" ]; then echo "$(tls_shown "$g") $at: no such file, or not readable" >&2; return 1; fi
            cat -- "$g" >>"$w/all"; printf '\n' >>"$w/all"
          done
          if [ -n "$4" ]; then cp "$w/all" "$w/keyfile"; else cat -- "$(tls_in_stage "$3")" >"$w/keyfile"; fi
          shown=$(tls_shown "$(tls_in_stage "$(tls_files "$2" "$3" "$4" | head -n 1)")")
          awk '/-----BEGIN CERTIFICATE-----/ { n++ } n == 1 { print } /-----END CERTIFICATE-----/ && n == 1 { n++ }' "$w/all" >"$w/leaf"
          awk '/-----BEGIN CERTIFICATE-----/ { n++ } n > 1 { print }' "$w/all" >"$w/chain"
          sed -n '/-----BEGIN [A-Z ]*PRIVATE KEY-----/,/-----END [A-Z ]*PRIVATE KEY-----/p' "$w/keyfile" | awk '{ print } /-----END/ { exit }' >"$w/key"
          if ! openssl x509 -in "$w/leaf" -noout 2>/dev/null; then echo "$shown $at: holds no certificate" >&2; return 1; fi
          subject=$(openssl x509 -in "$w/leaf" -noout -subject -nameopt oneline 2>/dev/null | sed 's/^subject= *//')
          end=$(openssl x509 -in "$w/leaf" -noout -enddate 2>/dev/null | sed 's/^notAfter=//')
          if [ ! -s "$w/key" ]; then
            echo "$shown $at: no private key found for the certificate ($subject)" >&2; bad=1
          elif ! openssl pkey -in "$w/key" -pubout >"$w/kpub" 2>/dev/null; then
            echo "$shown $at: the private key cannot be read (encrypted, or not a key)" >&2; bad=1
          else
            openssl x509 -in "$w/leaf" -noout -pubkey >"$w/cpub" 2>/dev/null
            cmp -s "$w/kpub" "$w/cpub" || { echo "$shown $at: the private key does not match the certificate ($subject)" >&2; bad=1; }
          fi
          expired=0
          if ! openssl x509 -in "$w/leaf" -noout -checkend 0 >/dev/null 2>&1; then
            echo "$shown $at: the certificate ($subject) expired on $end" >&2; bad=1; expired=1
          elif ! openssl x509 -in "$w/leaf" -noout -checkend "$vf" >/dev/null 2>&1; then
            echo "$shown $at: the certificate ($subject) expires on $end, within the $((vf / 86400)) days it must stay valid (tls: valid_for)" >&2; bad=1
          fi
          untrusted=; [ -s "$w/chain" ] && untrusted="-untrusted $w/chain"
          if ! openssl verify $roots -purpose sslserver $untrusted "$w/leaf" >"$w/v" 2>&1; then
            why=$(grep -m 1 -o 'error [0-9]* at [0-9]* depth lookup: .*' "$w/v" | sed 's/^error [0-9]* at \([0-9]*\) depth lookup: /at depth \1: /')
            hint=; case $why in *"local issuer"*) hint=" (is an intermediate certificate missing from the file?)";; esac
            case $expired$why in 1*"at depth 0: certificate has expired"*) ;; *)
            echo "$shown $at: the chain does not reach a trusted root, ${why:-$(tail -n 1 "$w/v")}$hint" >&2; bad=1;; esac
          fi
          for n in $5; do
            openssl x509 -in "$w/leaf" -noout -checkhost "$n" 2>/dev/null | grep -q ' does match' \
              || { echo "$shown $at: the certificate ($subject) does not cover $n" >&2; bad=1; }
          done
          return $bad
        }
        """#
}
