# bench/openssh/deploy.sh: playbooks/border-cluster.yml as ONE shell script that runs on
# the host, in one OpenSSH session per host (see bench/README.md).
#
# Not run by itself: bench/openssh/bundle puts the playbook's templates in front of it
# (as shell functions tpl_null_client_main_cf, ...), and the controller runs
#
#   ssh -o KexAlgorithms=curve25519-sha256 -o StrictHostKeyChecking=yes ... root@ADDR \
#       sh -s -- INVENTORY_HOSTNAME DOMAIN ADMIN MAILHUB BORDER_ADDRESS < bundle.sh
#
# It does what `postfleet run playbooks/border-cluster.yml` does to a host, idempotently:
#   1. reads the state: postmulti -l, whether each instance runs, and (below) checksums;
#   2. postmulti -e init, -I postfix-out -G mta -e create, -e enable, the same for
#      postfix-in (output before input), each only if needed;
#   3. renders every file from its template and the host's inventory variables (plus the
#      block of parameters postmulti owns, as postfleet writes it) and compares it with
#      the live file; master.cf service edits only when the service differs;
#   4. per instance with a difference: a stage directory beside the live one (copy of
#      the live files, the new ones over them, the postconf edits, postmap of changed
#      cdb tables), checked (postconf -n without a warning, postfix check, every *_maps
#      table openable) before anything goes live; then every changed file is renamed
#      over the live one, the old one kept as a hard link NAME.bak-ID;
#   5. per instance in start order: restart (a parameter the master reads only at start,
#      or an inet service, changed), reload (other main.cf/master.cf changes), nothing
#      (only indexed tables changed), start (enabled but not running); before a start,
#      Debian's configure-instance.sh, as postfix@.service and postfleet run it.
#      On a host booted with systemd (/run/systemd/system exists, as sd_booted(3) tests),
#      through Debian's units instead, as its admin would: `systemctl daemon-reload` once
#      after creating instances (the generator then makes their postfix@NAME units), and
#      `systemctl start|restart|reload postfix@NAME` (postfix@- for the default), whose
#      ExecStartPre runs configure-instance.sh itself.
# Output: one `changed: ...` line per change, then `RESULT changed N` or `RESULT ok`.
# Exit 0 when the host is converged, 1 (with `RESULT failed: ...`) when not.

set -u
umask 022
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
[ $# -eq 5 ] || { echo "RESULT failed: usage: sh -s -- INVENTORY_HOSTNAME DOMAIN ADMIN MAILHUB BORDER_ADDRESS"; exit 1; }
H=$1 DOMAIN=$2 ADMIN=$3 MAILHUB=$4 BORDER=$5
ID=$(date -u +%Y%m%dT%H%M%SZ)-$$
T=$(mktemp -d) || { echo "RESULT failed: mktemp"; exit 1; }
trap 'rm -rf -- "$T"' EXIT
changes=0

fail() { echo "RESULT failed: $*"; exit 1; }
changed() { changes=$((changes + 1)); echo "changed: $*"; }
# run CMD...: runs it, its output kept for the failure message
run() { "$@" >"$T/out" 2>&1 || fail "$* (exit $?): $(tail -n 5 "$T/out" | tr '\n' ' ')"; }
# start SELECTOR: as Debian's postfix@.service does, configure-instance.sh first (it copies
# /etc/hosts, resolv.conf and the like into the instance's chroot; without them a new
# instance's chrooted smtp cannot find the mail hub and its mail stays deferred).
CONFIGURE=/usr/lib/postfix/configure-instance.sh
# restart SELECTOR, reload SELECTOR: an instance that runs.
if [ -d /run/systemd/system ]; then
  # systemd runs Postfix here: every instance through its postfix@ unit, never from this
  # session (a master started here would run outside its unit's cgroup).
  SYSTEMD=1
  start() { run systemctl start "postfix@$1"; }
  restart() { run systemctl restart "postfix@$1"; }
  reload() { run systemctl reload "postfix@$1"; }
else
  SYSTEMD=0
  start() { if [ -x "$CONFIGURE" ]; then run "$CONFIGURE" "$1"; fi; run postmulti -i "$1" -p start; }
  restart() { run postmulti -i "$1" -p stop; start "$1"; }
  reload() { run postmulti -i "$1" -p reload; }
fi

# The playbook: instances in start order (default first), their group.
INSTANCES="default postfix-out postfix-in"
dir_of() { if [ "$1" = default ]; then echo /etc/postfix; else echo "/etc/$1"; fi; }
sel_of() { if [ "$1" = default ]; then echo -; else echo "$1"; fi; }

# --- 1. state ------------------------------------------------------------------------
postmulti -l >"$T/listing" 2>&1 || fail "postmulti -l: $(cat "$T/listing")"
# listed DIR -> "GROUP ENABLED" of the instance in DIR, or fails
listed() { awk -v d="$1" '$4 == d { print $2, $3; f = 1 } END { exit !f }' "$T/listing"; }
for i in $INSTANCES; do
  d=$(dir_of "$i")
  if listed "$d" >/dev/null && postfix -c "$d" status >/dev/null 2>&1; then
    eval "was_running_$(echo "$i" | tr - _)=1"
  else
    eval "was_running_$(echo "$i" | tr - _)=0"
  fi
done

# --- 2. instances ----------------------------------------------------------------------
initialized() {
  [ "$(postconf -h multi_instance_enable 2>/dev/null)" = yes ] && [ -n "$(postconf -h multi_instance_wrapper 2>/dev/null)" ]
}
missing=0
for i in postfix-out postfix-in; do listed "$(dir_of "$i")" >/dev/null || missing=1; done
if [ "$missing" = 1 ] && ! initialized; then
  run postmulti -e init
  changed "postmulti -e init"
fi
for i in postfix-out postfix-in; do
  if have=$(listed "$(dir_of "$i")"); then
    set -- $have
    if [ "$1" != mta ]; then run postmulti -i "$i" -G mta -e assign; changed "$i: assigned to group mta"; fi
    if [ "$2" != y ]; then run postmulti -i "$i" -e enable; changed "$i: enabled"; fi
  else
    run postmulti -I "$i" -G mta -e create
    changed "$i: created in group mta"
    run postmulti -i "$i" -e enable
    changed "$i: enabled"
    created=1
  fi
done
# systemd: the generator makes the new instances' postfix@NAME units at a daemon-reload.
if [ "$SYSTEMD" = 1 ] && [ -n "${created:-}" ]; then run systemctl daemon-reload; fi

# --- 3. files as they should be ----------------------------------------------------------
# render TEMPLATE_FUNCTION: {{var}} replaced by the host's variables; an unknown one fails.
render() {
  "$1" | awk -v h="$H" -v dom="$DOMAIN" -v adm="$ADMIN" -v hub="$MAILHUB" -v border="$BORDER" '
    { out = ""; s = $0
      while (match(s, /\{\{[a-z_]+\}\}/)) {
        n = substr(s, RSTART + 2, RLENGTH - 4)
        if (n == "inventory_hostname") v = h
        else if (n == "domain") v = dom
        else if (n == "admin") v = adm
        else if (n == "mailhub") v = hub
        else if (n == "border_address") v = border
        else { print "undefined template variable " n > "/dev/stderr"; exit 3 }
        out = out substr(s, 1, RSTART - 1) v; s = substr(s, RSTART + RLENGTH)
      }
      print out s }'
}
# owned INSTANCE: the parameters postmulti owns, as postfleet appends them to a main.cf
owned() {
  echo
  echo "# Owned by postmulti(1); kept by postfleet"
  if [ "$1" = default ]; then
    echo 'multi_instance_wrapper = ${command_directory}/postmulti -p --'
    echo "multi_instance_enable = yes"
    echo "multi_instance_directories = /etc/postfix-out /etc/postfix-in"
  else
    echo "multi_instance_name = $1"
    echo "multi_instance_group = mta"
    echo "multi_instance_enable = yes"
    echo "queue_directory = /var/spool/$1"
    echo "data_directory = /var/lib/$1"
  fi
}
mkdir -p "$T/new/default" "$T/new/postfix-out" "$T/new/postfix-in"
{ render tpl_null_client_main_cf && owned default; } >"$T/new/default/main.cf" || fail "rendering /etc/postfix/main.cf"
render tpl_null_client_generic >"$T/new/default/generic" || fail "rendering /etc/postfix/generic"
render tpl_null_client_virtual >"$T/new/default/virtual" || fail "rendering /etc/postfix/virtual"
{ render tpl_postfix_out_main_cf && owned postfix-out; } >"$T/new/postfix-out/main.cf" || fail "rendering /etc/postfix-out/main.cf"
{ render tpl_postfix_in_main_cf && owned postfix-in; } >"$T/new/postfix-in/main.cf" || fail "rendering /etc/postfix-in/main.cf"
# Dated a minute back, as postfleet does: Postfix waits while a main.cf is younger than
# a couple of seconds, and these are complete files renamed into place.
touch -d "@$(($(date +%s) - 60))" "$T"/new/*/*

# The parameters the master process reads only when it starts (postfleet's ChangeImpact).
RESTART_PARAMS="inet_interfaces inet_protocols master_service_disable queue_directory data_directory process_id_directory daemon_directory mail_owner setgid_group default_process_limit"

# --- 4. stage, check, commit; 5. make it live ------------------------------------------------
for i in $INSTANCES; do
  d=$(dir_of "$i")
  s=$d/.bench-stage-$ID
  writes="" tables="" postmaps="" edits="" action=none
  for f in "$T/new/$i"/*; do
    n=${f##*/}
    cmp -s "$f" "$d/$n" || writes="$writes $n"
  done
  for n in generic virtual; do
    [ -f "$T/new/$i/$n" ] || continue
    case " $writes " in *" $n "*) postmaps="$postmaps $n" ;; *) [ -f "$d/$n.cdb" ] || postmaps="$postmaps $n" ;; esac
  done
  if [ "$i" = postfix-out ]; then
    [ -z "$(postconf -c "$d" -M smtp/inet 2>/dev/null)" ] || edits="$edits smtp_absent"
    want="127.0.0.1:10026 inet n - n - - smtpd"
    have=$(postconf -c "$d" -M 127.0.0.1:10026/inet 2>/dev/null | tr -s ' \t' '  ')
    [ "$have" = "$want" ] || edits="$edits reinject"
  fi
  if [ -n "$writes$postmaps$edits" ]; then
    rm -rf -- "$s" && mkdir -m 700 -- "$s" || fail "mkdir $s"
    for f in "$d"/*; do
      [ -f "$f" ] || continue
      case ${f##*/} in *.bak-*) continue ;; esac
      cp -p -- "$f" "$s/" || fail "staging $f"
    done
    for n in $writes; do cp -p -- "$T/new/$i/$n" "$s/$n" || fail "staging $n"; done
    for e in $edits; do
      case $e in
        smtp_absent) run postconf -c "$s" -MX smtp/inet ;;
        reinject) run postconf -c "$s" -M "127.0.0.1:10026/inet = 127.0.0.1:10026 inet n - n - - smtpd" ;;
      esac
    done
    [ -z "$edits" ] || touch -d "@$(($(date +%s) - 60))" "$s/master.cf"
    for n in $postmaps; do run postmap "cdb:$s/$n"; done
    # The check, as postfleet's ConfigCheck: no warning from postconf -n, postfix check,
    # every *_maps table openable (a table named by its live path is probed in the stage).
    w=$(postconf -c "$s" -n 2>&1 >/dev/null)
    [ -z "$w" ] || { rm -rf -- "$s"; fail "$d: postconf -n: $w"; }
    postfix -c "$s" check >"$T/out" 2>&1 || { rm -rf -- "$s"; fail "$d: postfix check: $(cat "$T/out")"; }
    for t in $(postconf -c "$s" -x -n 2>/dev/null | awk -F' = ' '$1 ~ /_maps$/ { print $2 }' | tr ', ' '\n\n' | grep -E '^[a-z0-9]+:'); do
      case $t in proxy:* | static:* | inline:* | fail:* | randmap:* | pipemap:* | unionmap:*) continue ;; esac
      p=${t#*:}
      case $p in "$d"/*) n=${p#"$d"/}; [ -e "$s/$n" ] && t="${t%%:*}:$s/$n" ;; esac
      postmap -c "$s" -q bench-probe "$t" >/dev/null 2>"$T/out"; rc=$?
      if [ $rc -gt 1 ] || grep -q fatal "$T/out"; then rm -rf -- "$s"; fail "$d: table $t: $(cat "$T/out")"; fi
    done
    # What it takes to make it live (for an instance that runs).
    if [ -n "$writes$edits" ]; then
      case " $writes " in *" main.cf "*)
        if [ "$(postconf -c "$d" -n $RESTART_PARAMS 2>/dev/null)" != "$(postconf -c "$s" -n $RESTART_PARAMS 2>/dev/null)" ]; then
          action=restart
        else
          action=reload
        fi ;;
      esac
      [ -z "$edits" ] || action=restart  # both edits change an inet service: a listener
    fi
    # Commit: each file renamed over the live one, which is kept as NAME.bak-ID.
    names=$writes
    [ -z "$edits" ] || case " $names " in *" master.cf "*) ;; *) names="$names master.cf" ;; esac
    for n in $postmaps; do names="$names $n.cdb"; done
    for n in $names; do
      if [ -e "$d/$n" ]; then ln -f -- "$d/$n" "$d/$n.bak-$ID" || fail "backup of $d/$n"; fi
      mv -f -- "$s/$n" "$d/$n" || fail "installing $d/$n"
    done
    rm -rf -- "$s"
    changed "$i: installed$(for n in $names; do printf ' %s' "$n"; done)"
  fi
  sel=$(sel_of "$i")
  running=$(eval echo "\$was_running_$(echo "$i" | tr - _)")
  if [ "$running" != 1 ]; then
    start "$sel"
    changed "$i: started"
  elif [ "$action" = restart ]; then
    restart "$sel"
    changed "$i: restarted"
  elif [ "$action" = reload ]; then
    reload "$sel"
    changed "$i: reloaded"
  fi
done

if [ "$changes" -gt 0 ]; then echo "RESULT changed $changes"; else echo "RESULT ok"; fi
