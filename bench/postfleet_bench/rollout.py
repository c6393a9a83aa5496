"""scripts/bench rollout: playbooks/border-cluster.yml rolled out by postfleet and by
the three other tools of bench/, each round on freshly reset lab hosts, every run checked
on the hosts; the usage is ROLLOUT_DOC."""

import argparse
import hashlib
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

from .base import LabBench
from .common import LAB, Broken, note, parse_or_help, postfleet_binary, run_quiet, tail
from .lab import DEFAULT_DIR, MARKER, Lab, LabInfo, live_lab_dir, write_inventory
from .launcher import LIVE, build_launcher, kill, spawn
from .report import machine_facts, rollout_report
from .ssh import KEX, ssh_argv
from .tools import (ANSIBLE_CORE_VERSION, BENCH_DIR, PLAYBOOK, PYINFRA_VERSION, SAMPLE_MS, TOOLS, VENV_ROOT,
                    RolloutTools, ensure_venv, tool_env)

DOC = """scripts/bench rollout: playbooks/border-cluster.yml rolled out by postfleet, by one
OpenSSH session per host running a shell script, by pyinfra and by ansible-playbook, in
the same run: a first run on bare hosts, then a run that has nothing to change.

USAGE
  scripts/bench rollout [--hosts 20] [--repeat 3] [--tools postfleet,openssh,pyinfra,ansible]
                        [--init postfix|systemd]
                        [--reuse-lab --first-host K] [--dir DIR] [--keep-lab]
                        [--markdown] [--timeout SECONDS] [--no-build | --postfleet PATH]

  --hosts       border hosts to roll out to (1..249), mtaK .. mtaK+hosts-1
  --first-host  K (default 1; REQUIRED with --reuse-lab, so that a shared lab's other
                hosts are never touched by accident)
  --repeat      measured rounds; each tool runs once per round (first run + no-change
                run), the order of the tools rotating from one round to the next; the
                median is reported
  --tools       which tools to run (default all four); the ratios and targets need
                postfleet and the tool compared with
  --reuse-lab   use the lab that is up (in DIR, default the one scripts/lab points at)
                instead of bringing one up; only hosts mtaK .. mtaK+hosts-1 are reset and
                used, and the lab is left up. Without it the bench brings up its own lab
                of K+hosts-1 hosts in DIR (default /var/tmp/postfleet-bench) as
                `scripts/bench` does, and takes it down at the end unless --keep-lab.
  --init        what the border hosts boot (default postfix): `systemd` brings the lab up
                with `scripts/lab up N --init systemd` (with --reuse-lab: requires the
                hosts used to boot systemd), PID 1 systemd running Postfix through
                Debian's postfix@ units. Each tool sees /run/systemd/system on such a
                host and drives its instances through systemctl as its users would
                (bench/README.md), and the checks below gain the units' side.
  --markdown    also print the results as a Markdown table (for the README)
  --timeout     seconds one run of one tool may take (default 600)
  --no-build    use the existing .build-bench/release/postfleet as it is
  --postfleet   use this postfleet binary (no build)

EACH ROUND, FOR EACH TOOL
  1. `scripts/lab reset` the hosts: bare Debian Postfix, the default instance only,
     running (on systemd hosts: booted again, under postfix@-), the original
     /etc/postfix (known_hosts stays valid). Not measured.
  2. first run (measured), then checked on every host over ssh: postmulti -l lists
     postfix-out and postfix-in in group mta, enabled; all three instances run; the five
     managed files are byte for byte what `postfleet render` renders for the host;
     postfix-out's master.cf has no smtp/inet and has the 127.0.0.1:10026 listener; no
     stage directory is left; the tool reported changes and no failure; and a message sent
     by SMTP to the last host's input instance reaches the mail hub (through the filter
     stand-in and the output instance). On systemd hosts (--init systemd) also:
     `systemctl is-active` postfix@-, postfix@postfix-out and postfix@postfix-in all
     say active, every master's /proc/PID/cgroup (name=systemd) is its unit's
     .../postfix@NAME.service, and `systemctl is-system-running` says running.
  3. the same run again (measured): the tool must report no change, and the hosts'
     state must be identical to after step 2: the same master PIDs (nothing restarted),
     the same checksums, inodes and mtimes of every managed file and master.cf.
  The tools, each with its best settings: parallelism = hosts, the key exchange
  curve25519-sha256, strict host key checking against the lab's known_hosts.
  postfleet  postfleet run playbooks/border-cluster.yml -i INV -f N --known-hosts KH --json F
  OpenSSH    N x `ssh ... root@ADDR sh -s -- HOST DOMAIN ADMIN MAILHUB ADDR < bundle`, all at
             once; the bundle is bench/openssh/deploy.sh with the templates
             (bench/openssh/bundle)
  pyinfra    pyinfra -y --no-wait --parallel N bench/pyinfra/inventory.py bench/pyinfra/deploy.py
  Ansible    ansible-playbook -i INV -f N bench/ansible/border-cluster.yml with
             bench/ansible/ansible.cfg (pipelining, ControlPersist, strategy free)
  pyinfra {pyinfra} and ansible-core {ansible} are installed from PyPI into virtualenvs
  under {venvs} (kept, and reused while they hold the pinned version).

WHAT IS MEASURED
  Every tool is started by the bench's C launcher (see `scripts/bench help`), which is
  a child subreaper and sums the RSS of every process under it every {sample} ms.
  wall       fork to reap of the tool's process (OpenSSH: first fork to last reap)
  CPU        user + sys of the tool's process and every descendant (Ansible's workers and
             ssh processes, its ControlPersist masters, which the launcher adopts and
             stops when ansible-playbook has exited)
  peak RSS   the largest sum of RSS over the tool's processes at one sample (at least the
             largest single process's ru_maxrss); MB = 10^6 bytes
  machine CPU  all CPU the machine spent meanwhile (/proc/stat): includes the hosts' sshd,
             Postfix and (Ansible) the Python modules run on the hosts
TARGETS (wall time)
  first run: postfleet <= 1.0 x OpenSSH and <= pyinfra;
  no-change run: postfleet <= 0.4 x pyinfra and <= 0.4 x OpenSSH.

EXIT STATUS
  0 the bench ran (whether or not a target holds), 1 something broke (a run failed its
  checks, timed out, a venv could not be made), 2 bad usage, 3 another lab is up,
  130 interrupted.
"""

ROLLOUT_SETTLE = 3.0   # seconds before each measured run (Postfix's main.cf "cool down" is ~2 s)
RESET_TIMEOUT = 300
MANAGED = ["/etc/postfix/main.cf", "/etc/postfix/generic", "/etc/postfix/virtual",
           "/etc/postfix-out/main.cf", "/etc/postfix-in/main.cf"]
WATCHED = MANAGED + ["/etc/postfix/generic.cdb", "/etc/postfix/virtual.cdb", "/etc/postfix/master.cf",
                     "/etc/postfix-out/master.cf", "/etc/postfix-in/master.cf"]
CONF_DIRS = ["/etc/postfix", "/etc/postfix-out", "/etc/postfix-in"]
REINJECT_LINE = "127.0.0.1:10026 inet n - n - - smtpd"

SNAPSHOT_SCRIPT = r"""
postmulti -l 2>&1 | sed 's/^/L /'
for d in %(dirs)s; do
  if [ ! -f "$d/main.cf" ]; then echo "R $d absent"; continue; fi
  if postfix -c "$d" status >/dev/null 2>&1; then
    q=$(postconf -c "$d" -h queue_directory 2>/dev/null)
    echo "R $d running $(tr -d ' ' < "$q/pid/master.pid" 2>/dev/null)"
  else
    echo "R $d stopped"
  fi
  ls -A "$d" | grep '^\.' | sed "s|^|X $d/|"
done
for f in %(files)s; do
  [ -f "$f" ] && echo "F $f $(sha256sum < "$f" | cut -c1-64) $(stat -c '%%i %%Y' "$f")"
done
[ -f /etc/postfix-out/master.cf ] && postconf -c /etc/postfix-out -M 2>/dev/null | tr -s ' \t' '  ' | sed 's/^/S /'
echo END
"""
# A systemd host's side, before SNAPSHOT_SCRIPT: each unit's state, the cgroup of each
# instance's master (the name=systemd hierarchy of cgroup v1, else the v2 one), the system.
SYSTEMD_SNAPSHOT = r"""
for u in %(units)s; do
  n=${u%%%%:*} d=${u#*:}
  echo "U $n $(systemctl is-active "postfix@$n" 2>&1 | head -n 1)"
  q=$(postconf -c "$d" -h queue_directory 2>/dev/null)
  p=$(tr -d ' ' < "$q/pid/master.pid" 2>/dev/null)
  [ -n "$p" ] && [ -r "/proc/$p/cgroup" ] || { echo "G $n none"; continue; }
  g=$(sed -n 's/^[0-9]*:name=systemd://p' "/proc/$p/cgroup")
  [ -n "$g" ] || g=$(sed -n 's/^0:://p' "/proc/$p/cgroup")
  echo "G $n ${g:-none}"
done
echo "Y $(systemctl is-system-running 2>&1 | head -n 1)"
"""
UNITS = {"-": "/etc/postfix", "postfix-out": "/etc/postfix-out", "postfix-in": "/etc/postfix-in"}


def parse_rollout_args(argv):
    ap = argparse.ArgumentParser(prog="scripts/bench rollout", add_help=False)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--first-host", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--reuse-lab", action="store_true")
    ap.add_argument("--dir", default=None)
    ap.add_argument("--keep-lab", action="store_true")
    ap.add_argument("--init", choices=("postfix", "systemd"), default="postfix")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--postfleet", default=None)
    a = parse_or_help(ap, argv, rollout_doc())
    a.tools = [t.strip() for t in a.tools.split(",") if t.strip()]
    bad = [t for t in a.tools if t not in TOOLS]
    if bad or not a.tools:
        ap.error(f"--tools: choose from {','.join(TOOLS)} (not {','.join(bad) or 'nothing'})")
    a.tools = [t for t in TOOLS if t in a.tools]
    if a.reuse_lab and a.first_host is None:
        ap.error("--reuse-lab needs --first-host K: say which hosts of the shared lab the bench may reset")
    if a.first_host is None:
        a.first_host = 1
    if a.first_host < 1 or a.hosts < 1 or a.first_host + a.hosts - 1 > 249:
        ap.error("--first-host and --hosts must pick hosts within mta1..mta249")
    if a.repeat < 1 or a.repeat > 20:
        ap.error("--repeat must be from 1 to 20")
    if a.timeout <= 0:
        ap.error("--timeout must be positive")
    if a.postfleet and a.no_build:
        ap.error("--postfleet PATH already means no build; give one of them")
    if a.dir is None:
        if a.reuse_lab:
            a.dir = live_lab_dir() or "/var/tmp/postfleet-lab"
        else:
            a.dir = DEFAULT_DIR
    a.dir = os.path.realpath(a.dir)
    return a


def rollout_doc():
    return DOC.strip().format(pyinfra=PYINFRA_VERSION, ansible=ANSIBLE_CORE_VERSION, venvs=VENV_ROOT,
                              sample=SAMPLE_MS)


class Rollout(RolloutTools, LabBench):
    """The rollout benchmark on hosts [(name, address)] of a lab that is up."""

    def __init__(self, args, lab, tmp, launcher, bin, tools_venvs):
        super().__init__(args, lab, tmp, launcher, bin)
        all_hosts = lab.hosts
        byname = dict(all_hosts)
        names = [f"mta{k}" for k in range(args.first_host, args.first_host + args.hosts)]
        missing = [n for n in names if n not in byname]
        if missing:
            raise Broken(f"the lab in {self.lab_dir} has no host {', '.join(missing[:5])}"
                         f"{' ...' if len(missing) > 5 else ''} (it has {len(all_hosts)} border hosts)")
        self.hosts = [(n, byname[n]) for n in names]
        self.n = len(self.hosts)
        other = [n for n in names if lab.init[n] != args.init or lab.state[n] != "running"]
        if other:
            raise Broken(f"the lab in {self.lab_dir}: {', '.join(other[:5])}{' ...' if len(other) > 5 else ''} "
                         f"{'is' if len(other) == 1 else 'are'} not init {args.init}, state running "
                         f"({other[0]}: init {lab.init[other[0]]}, state {lab.state[other[0]]}); --init says "
                         "what the hosts must boot")
        for k in ("domain", "admin", "mailhub"):
            if k not in self.vars:
                raise Broken(f"the lab inventory has no variable {k}")
        self.venvs = tools_venvs
        self.inventory = self.tmp / "inventory.yml"
        write_inventory(self.inventory, self.vars, self.hosts)
        self.inventory_json = self.tmp / "inventory.json"
        self.inventory_json.write_text(json.dumps({
            "vars": {k: self.vars[k] for k in ("domain", "admin", "mailhub")},
            "hosts": [[n, a] for n, a in self.hosts], "key": self.key, "known_hosts": self.kh}))
        self.bundle = self.tmp / "bundle.sh"
        rc, out = run_quiet(["sh", "-c", f"{shlex.quote(str(BENCH_DIR / 'openssh' / 'bundle'))} > "
                             f"{shlex.quote(str(self.bundle))}"], 60, "bench/openssh/bundle")
        if rc != 0:
            raise Broken(f"bench/openssh/bundle failed:\n{tail(out, 10)}")
        self.expected = self.render()

    # -- what the hosts should end up with ----------------------------------------------
    def render(self):
        out = self.tmp / "render"
        rc, text = run_quiet([str(self.bin), "render", str(PLAYBOOK), "-i", str(self.inventory), "--all", "--out", str(out)],
                             120, "postfleet render")
        if rc != 0:
            raise Broken(f"postfleet render failed (exit {rc}):\n{tail(text, 20)}")
        expected = {}
        for name, _ in self.hosts:
            sums = {}
            for path in MANAGED:
                f = out / name / path.lstrip("/")
                if not f.exists():
                    raise Broken(f"postfleet render wrote no {f}")
                sums[path] = hashlib.sha256(f.read_bytes()).hexdigest()
            expected[name] = sums
        return expected

    # -- resetting and looking at the hosts -----------------------------------------------
    def reset(self):
        t0 = time.monotonic()
        rc, out = run_quiet([str(LAB), "reset", "--dir", str(self.lab_dir), *[n for n, _ in self.hosts]],
                            RESET_TIMEOUT, "scripts/lab reset")
        if rc != 0:
            raise Broken(f"scripts/lab reset failed (exit {rc}):\n{tail(out, 30)}")
        return time.monotonic() - t0

    def snapshot(self):
        """Every host's Postfix state, read over ssh (not measured)."""
        script = SNAPSHOT_SCRIPT % {"dirs": " ".join(CONF_DIRS), "files": " ".join(WATCHED)}
        units = SYSTEMD_SNAPSHOT % {"units": " ".join(f"{n}:{d}" for n, d in UNITS.items())}
        procs = []
        for name, addr in self.hosts:
            here = units + script if self.lab.init[name] == "systemd" else script
            p = spawn(ssh_argv(self.key, self.kh, addr, here), subprocess.PIPE, subprocess.PIPE)
            procs.append((name, p))
        deadline = time.monotonic() + 120
        snaps, bad = {}, []
        for name, p in procs:
            try:
                out, err = p.communicate(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                kill(p)
                bad.append(f"{name}: no answer within 120 s")
                continue
            LIVE.discard(p)
            text = out.decode(errors="replace")
            if p.returncode != 0 or not text.rstrip().endswith("END"):
                bad.append(f"{name}: exit {p.returncode}: {err.decode(errors='replace').strip()[-200:]}")
                continue
            snaps[name] = self.parse_snapshot(text)
        if bad:
            raise Broken("reading the hosts' state failed:\n  " + "\n  ".join(bad[:10]))
        return snaps

    @staticmethod
    def parse_snapshot(text):
        snap = {"listing": [], "running": {}, "files": {}, "services": [], "leftovers": [], "units": {},
                "cgroups": {}, "system": None}
        for line in text.splitlines():
            kind, _, rest = line.partition(" ")
            if kind == "L":
                snap["listing"].append(" ".join(rest.split()))
            elif kind == "R":
                d, _, state = rest.partition(" ")
                snap["running"][d] = state.strip()
            elif kind == "F":
                path, sha, ino, mtime = rest.split()
                snap["files"][path] = (sha, ino, mtime)
            elif kind == "S":
                snap["services"].append(rest.strip())
            elif kind == "X":
                snap["leftovers"].append(rest.strip())
            elif kind == "U":
                u, _, state = rest.partition(" ")
                snap["units"][u] = state.strip()
            elif kind == "G":
                u, _, cgroup = rest.partition(" ")
                snap["cgroups"][u] = cgroup.strip()
            elif kind == "Y":
                snap["system"] = rest.strip()
        return snap

    def check_converged(self, snaps, tool):
        """The first run's result on every host, as the playbook wants it."""
        bad = []
        want_listing = {"- - y /etc/postfix", "postfix-out mta y /etc/postfix-out", "postfix-in mta y /etc/postfix-in"}
        for name, _ in self.hosts:
            s = snaps[name]
            problems = []
            if set(s["listing"]) != want_listing:
                problems.append(f"postmulti -l shows {s['listing']}")
            for d in CONF_DIRS:
                if not s["running"].get(d, "").startswith("running "):
                    problems.append(f"{d} is {s['running'].get(d, 'not there')}")
            for path, sha in self.expected[name].items():
                have = s["files"].get(path)
                if not have:
                    problems.append(f"{path} is missing")
                elif have[0] != sha:
                    problems.append(f"{path} differs from postfleet render's")
            if any(x.startswith("smtp inet ") for x in s["services"]):
                problems.append("postfix-out master.cf still has smtp/inet")
            if REINJECT_LINE not in s["services"]:
                problems.append("postfix-out master.cf lacks the 127.0.0.1:10026 listener")
            if s["leftovers"]:
                problems.append(f"left behind: {', '.join(s['leftovers'][:3])}")
            if self.lab.init[name] == "systemd":
                problems += self.systemd_problems(s)
            if problems:
                bad.append(f"{name}: " + "; ".join(problems))
        if bad:
            raise Broken(f"{tool}, first run: {len(bad)} of {self.n} hosts are not as the playbook wants:\n  "
                         + "\n  ".join(bad[:10]))

    @staticmethod
    def systemd_problems(s):
        """What a systemd host's admin would see wrong: a postfix@ unit not active, a master
        outside its unit's cgroup, a system not `running` (degraded: a unit failed)."""
        problems = []
        for n in UNITS:
            state = s["units"].get(n, "not read")
            if state != "active":
                problems.append(f"postfix@{n} is {state}")
            cgroup = s["cgroups"].get(n, "not read")
            if not cgroup.endswith(f"/postfix@{n}.service"):
                problems.append(f"postfix@{n}'s master runs in cgroup {cgroup}, not its unit's")
        if s["system"] != "running":
            problems.append(f"systemctl is-system-running says {s['system']}")
        return problems

    def check_mail_flows(self, tool):
        """A message sent by SMTP to the last host's input instance goes through the filter
        stand-in and the output instance to the mail hub: the deploy works, not only its files
        (a new instance started without Debian's configure-instance.sh, for example, has no
        /etc/hosts in its chroot and defers all mail)."""
        name, addr = self.hosts[-1]
        tag = f"pfbench-{tool}-{os.getpid()}-{self.seq}"
        dialog = ("{ printf 'EHLO bench\\r\\n'; sleep 0.3; printf 'MAIL FROM:<bench@example.net>\\r\\n'; sleep 0.2; "
                  "printf 'RCPT TO:<bench@example.com>\\r\\n'; sleep 0.2; printf 'DATA\\r\\n'; sleep 0.2; "
                  f"printf 'Subject: {tag}\\r\\n\\r\\nbench\\r\\n.\\r\\n'; sleep 0.3; printf 'QUIT\\r\\n'; }} "
                  "| socat -t 5 - TCP:127.0.0.1:25")
        try:
            r = subprocess.run(ssh_argv(self.key, self.kh, addr, dialog), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        except subprocess.TimeoutExpired:
            raise Broken(f"{tool}: sending a test message to {name} timed out")
        if b"250 2.0.0 Ok: queued" not in r.stdout:
            raise Broken(f"{tool}: {name}'s input instance did not take a test message:\n{tail(r.stdout.decode(errors='replace'), 10)}")
        mailbox = Path(self.lab.mailbox)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if f"Subject: {tag}\n".encode() in mailbox.read_bytes():
                    return
            except OSError:
                pass
            time.sleep(0.5)
        _, queue = run_quiet(ssh_argv(self.key, self.kh, addr, "postqueue -c /etc/postfix-out -p; postqueue -c /etc/postfix-in -p"),
                             30, "postqueue")
        raise Broken(f"{tool}: a message sent to {name}'s input instance did not reach the mail hub within 30 s "
                     f"(the deploy does not work); its queues:\n{tail(queue, 10)}")

    def check_unchanged(self, before, after, tool):
        bad = []
        for name, _ in self.hosts:
            b, a = before[name], after[name]
            if b == a:
                continue
            diffs = [k for k in b if b[k] != a[k]]
            detail = []
            if b["running"] != a["running"]:
                detail.append(f"masters {b['running']} -> {a['running']}")
            for path in sorted(set(b["files"]) | set(a["files"])):
                if b["files"].get(path) != a["files"].get(path):
                    detail.append(f"{path} {b['files'].get(path)} -> {a['files'].get(path)}")
            bad.append(f"{name}: changed {', '.join(diffs)}: {'; '.join(detail)[:300]}")
        if bad:
            raise Broken(f"{tool}, no-change run: {len(bad)} of {self.n} hosts changed:\n  " + "\n  ".join(bad[:10]))

    # -- the four tools -----------------------------------------------------------------

    def round(self, tool):
        """Reset, first run, check, no-change run, check: the two measurements."""
        self.reset()
        time.sleep(ROLLOUT_SETTLE)
        first = self.run(tool, "first")
        snap1 = self.snapshot()
        self.check_converged(snap1, tool)
        self.check_mail_flows(tool)
        time.sleep(ROLLOUT_SETTLE)
        again = self.run(tool, "again")
        snap2 = self.snapshot()
        self.check_unchanged(snap1, snap2, tool)
        return first, again


def reused_lab(args):
    """--reuse-lab: the lab in args.dir, which must be the one that is up."""
    d = Path(args.dir)
    if not (d / MARKER).exists() or not (d / "env").exists():
        raise Broken(f"--reuse-lab: no lab in {d}")
    live = live_lab_dir()
    if live != str(d):
        raise Broken(f"--reuse-lab: the lab in {d} is not the one that is up ({live or 'none is'})")
    lab = LabInfo(d)
    note(f"reusing the lab in {d} (left up); only mta{args.first_host}..mta{args.first_host + args.hosts - 1} "
         f"are reset and used")
    return lab


def run(args, session):
    """The rollout bench's body, in a session.Session (which takes down the lab it brings up)."""
    bin = postfleet_binary(args)
    if "postfleet" in args.tools:
        rc, out = run_quiet([str(bin), "help", "run"], 30, "postfleet help run")
        if rc != 0 or "run" not in out:
            raise Broken("this postfleet has no `run` subcommand yet; measure the others with "
                         "--tools openssh,pyinfra,ansible")
    launcher = build_launcher(session.tmp)
    note("virtualenvs:")
    venvs = {}
    if "pyinfra" in args.tools:
        venvs["pyinfra"] = ensure_venv("pyinfra", PYINFRA_VERSION, "pyinfra")
    if "ansible" in args.tools:
        venvs["ansible"] = ensure_venv("ansible-core", ANSIBLE_CORE_VERSION, "ansible-playbook")

    if args.reuse_lab:
        lab = reused_lab(args)
    else:
        session.lab = Lab(args.dir, args.first_host + args.hosts - 1, args.keep_lab, args.init)
        lab = session.lab.up()
    bench = Rollout(args, lab, session.tmp, launcher, bin, venvs)
    note()
    machine_facts(bin)
    note(f"  key exchange: OpenSSH and Ansible forced to {KEX}: {bench.openssh_kex()}")
    if "postfleet" in args.tools:
        note(f"                postfleet ({KEX} first in its list): {bench.postfleet_kex()}")
    if "pyinfra" in args.tools:
        note(f"                pyinfra: {bench.pyinfra_kex()}")
    note()
    # Warm-up, unmeasured: every tool's files into the page cache.
    for t in args.tools:
        warm = {"postfleet": [str(bin), "--version"], "openssh": ["ssh", "-V"],
                "pyinfra": [str(venvs.get("pyinfra", Path("/")) / "bin" / "pyinfra"), "--version"],
                "ansible": [str(venvs.get("ansible", Path("/")) / "bin" / "ansible-playbook"), "--version"]}[t]
        run_quiet(warm, 120, f"{t} --version", env=tool_env())

    results = {t: {"first": [], "again": []} for t in args.tools}
    for r in range(args.repeat):
        order = args.tools[r % len(args.tools):] + args.tools[:r % len(args.tools)]
        for t in order:
            first, again = bench.round(t)
            results[t]["first"].append(first)
            results[t]["again"].append(again)
            note(f"  round {r + 1}/{args.repeat} {t:<9} first: wall {first['wall']:7.3f} s  cpu {first['cpu']:7.3f} s  "
                 f"rss {first['rss']:7.1f} MB | no change: wall {again['wall']:6.3f} s  cpu {again['cpu']:6.3f} s  "
                 f"rss {again['rss']:6.1f} MB")
    where = (f"mta{args.first_host}..mta{args.first_host + args.hosts - 1}"
             + (" of a shared lab" if args.reuse_lab else "")
             + (", systemd hosts" if args.init == "systemd" else ""))
    rollout_report(results, args.tools, args.hosts, args.repeat, args.markdown, where)
