"""scripts/bench scale: one controller against a whole lab of 249 hosts and against
1,000 sessions, postfleet next to OpenSSH fan-out in the same run; the usage is DOC."""

import argparse
import os
import re
import shutil
import statistics
import time

from .base import LabBench
from .common import Broken, note, postfleet_binary, tail, parse_or_help
from .lab import DEFAULT_DIR, Lab, write_inventory
from .launcher import build_launcher, launch, mb
from .report import fmt_stat, machine_facts, ratio
from .ssh import ssh_argv
from .tools import PF_SUMMARY, PLAYBOOK, SAMPLE_MS, tool_env

SETTLE_SECONDS = 2.0
RECAP = re.compile(r"^ok=(\d+) failed=(\d+) unreachable=(\d+)\s+\((\d+) hosts? in ([0-9.]+)s\)\s*$", re.M)
RSS_TARGET_MB = 100.0
WALL_TARGET = 0.7       # postfleet exec on every session / OpenSSH's
NO_CHANGE_TARGET = 1.5  # a no-change run / postfleet exec true on the same hosts
SUFFIXES = "abcdefgh"
FIRST_ROLLOUT_FORKS = 25
FIRST_ROLLOUT_SECONDS = 1800

DOC = """scripts/bench scale: what one postfleet controller holds, against OpenSSH fan-out,
in the same run, on a lab of --hosts border hosts (default 249, all the lab's /24 holds).

MEASURED, each --repeat times (median shown), in this order per round
  exec, hosts     `postfleet exec -f H -- true` on the H hosts, against H x `ssh ... true`
                  started at once (one login per host: the floor of any command)
  exec, sessions  the same on H x --names sessions: an inventory naming every host
                  --names times (mtaKa, mtaKb, ...), so one controller holds H x names
                  SSH sessions at once (996 by default), against as many ssh processes
  instances       `postfleet instances -f H` on the H hosts (every instance's postconf)
  no-change run   `postfleet run playbooks/border-cluster.yml -f H` on hosts it has already
                  rolled out (one unmeasured run first, 25 hosts at a time, as the lab's
                  hosts share this machine's cores): what a weekly check costs
  For each: wall time, the controller's CPU (user + sys) and peak RSS, as
  bench/launcher.c reaps it (wait4); for OpenSSH the sum of CPU over its ssh processes
  and, for RSS, the largest sum at one moment (sampled every 20 ms). The number of lines
  postfleet printed is shown too: the report of 1,000 hosts that all did the same thing
  is a few grouped lines, not 1,000.

TARGETS (printed PASS or FAIL)
  peak RSS of postfleet exec on every session < 100 MB
  wall time of postfleet exec on every session <= 0.7 x OpenSSH's
  wall time of the no-change run <= 1.5 x postfleet exec true on the same hosts

THE BINARY
  Built as scripts/package builds the binary that ships: release, with the Swift runtime
  and Foundation linked in (--static-swift-stdlib), in .build-bench-static; --no-build
  uses the one there, --postfleet PATH another.

USAGE
  scripts/bench scale [--hosts 249] [--names 4] [--repeat 3] [--dir DIR] [--keep-lab]
                      [--timeout 600] [--no-build | --postfleet PATH] [--markdown]

THE LAB
  As `scripts/bench` (see `scripts/bench --help`): brought up in DIR (default
  /var/tmp/postfleet-bench) and taken down at the end unless --keep-lab; a lab of enough
  hosts already up in DIR is reused and left up; any other lab stops the bench (exit 3).
  The border-cluster rollout changes the hosts: a reused lab is left rolled out.
  OpenSSH's 1,000 processes need about 8 GB of memory; every sshd of the lab serves
  --names logins at once (its MaxStartups allows 10 before it drops some).

EXIT STATUS
  0 the bench ran (whether or not a target holds), 1 something broke, 2 bad usage,
  3 another lab is up, 130 interrupted.
"""


def parse_scale_args(argv):
    ap = argparse.ArgumentParser(prog="scripts/bench scale", description=DOC.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hosts", type=int, default=249)
    ap.add_argument("--names", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", default=DEFAULT_DIR)
    ap.add_argument("--keep-lab", action="store_true")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--postfleet")
    ap.add_argument("--markdown", action="store_true")
    a = parse_or_help(ap, argv, DOC)
    if not 1 <= a.hosts <= 249:
        ap.error("--hosts must be from 1 to 249")
    if not 1 <= a.names <= len(SUFFIXES):
        ap.error(f"--names must be from 1 to {len(SUFFIXES)}")
    if not 1 <= a.repeat <= 20:
        ap.error("--repeat must be from 1 to 20")
    if a.timeout <= 0:
        ap.error("--timeout must be positive")
    a.dir = os.path.realpath(a.dir)
    return a


def write_sessions_inventory(path, variables, hosts, names):
    """Every host under `names` inventory names (mtaKa, mtaKb, ...), all at its address."""
    out = ["all:", "  vars:", *[f"    {k}: {v}" for k, v in variables.items()],
           "  children:", "    border:", "      hosts:"]
    for name, addr in hosts:
        for s in SUFFIXES[:names]:
            out += [f"        {name}{s}:", f"          ansible_host: {addr}", f"          border_address: {addr}"]
    path.write_text("\n".join(out) + "\n")


class ScaleBench(LabBench):
    def __init__(self, args, lab, tmp, launcher, bin):
        super().__init__(args, lab, tmp, launcher, bin)
        if len(lab.hosts) < args.hosts:
            raise Broken(f"the lab has {len(lab.hosts)} border hosts, {args.hosts} needed")
        self.hosts = lab.hosts[:args.hosts]
        self.sessions = args.hosts * args.names
        self.inventory = self.tmp / "hosts.yml"
        write_inventory(self.inventory, self.vars, self.hosts)
        self.session_inventory = self.tmp / "sessions.yml"
        write_sessions_inventory(self.session_inventory, self.vars, self.hosts, args.names)

    def measure(self, tag, commands, timeout=None):
        wd = self.workdir()
        done, machine, tree = launch(self.launcher, commands, wd, tag, timeout or self.args.timeout, sample_ms=SAMPLE_MS,
                                     env=tool_env({"ANSIBLE_RETRY_FILES_ENABLED": "false"}))
        t0 = min(r.start for r in done)
        res = {"wall": max(r.end for r in done) - t0, "cpu": sum(r.cpu for r in done) + tree.orphan_cpu,
               "rss": max(mb(tree.peak_kib), max(mb(r.rss_kib) for r in done)), "machine": machine}
        return done, res, wd

    def postfleet(self, what, argv, expect_hosts):
        [r], res, wd = self.measure("postfleet", [("postfleet", [str(self.bin)] + argv)])
        problem = None
        if r.rc != 0:
            problem = f"exit status {r.rc}"
        elif what == "run":
            m = PF_SUMMARY.search(r.out)
            if not m:
                problem = "no summary line"
            elif (int(m.group(1)), int(m.group(2))) != (expect_hosts, expect_hosts):
                problem = f"summary {m.group(0).strip()!r}, expected {expect_hosts} hosts all ok, none changed"
        else:
            m = RECAP.search(r.out)
            if what == "exec" and (not m or (int(m.group(1)), int(m.group(2)), int(m.group(3))) != (expect_hosts, 0, 0)):
                problem = f"recap {m.group(0).strip() if m else 'missing'}, expected ok={expect_hosts} failed=0 unreachable=0"
        if what == "instances" and problem is None:
            # one row per instance: every host's postfix-out and postfix-in, after the rollout
            rows = [l for l in r.out.splitlines() if "postfix-out" in l]
            if not rows:
                problem = "no postfix-out instance in its output"
        if problem:
            raise Broken(f"postfleet {what} ({expect_hosts} hosts): {problem}\n$ postfleet {' '.join(argv)}\n"
                         f"{tail(r.out, 20)}\n{tail(r.err, 10)}")
        res["lines"] = len(r.out.splitlines())
        shutil.rmtree(wd, ignore_errors=True)
        return res

    def exec_true(self, inventory, n):
        return self.postfleet("exec", ["exec", "-i", str(inventory), "-f", str(n), "--known-hosts", self.kh,
                                       "--", "true"], n)

    def instances(self):
        return self.postfleet("instances", ["instances", "-i", str(self.inventory), "-f", str(len(self.hosts)),
                                            "--known-hosts", self.kh], len(self.hosts))

    def run_playbook(self, first=False):
        argv = ["run", str(PLAYBOOK), "-i", str(self.inventory), "--known-hosts", self.kh]
        if first:
            # Every host's first rollout creates two instances: on this machine the lab's hosts
            # share its cores, and 249 apply scripts at once would each pass run's 300 s bound.
            # Each host's first rollout costs about 4 s of the machine's CPU (two `postmulti -e
            # create`, three `postfix start`): 249 take 8 to 10 minutes on two cores, past the
            # measured runs' --timeout, so this run is bounded by postfleet's own 1,800 s.
            argv += ["-f", str(FIRST_ROLLOUT_FORKS), "--timeout", str(FIRST_ROLLOUT_SECONDS)]
            [r], res, wd = self.measure("postfleet", [("postfleet", [str(self.bin)] + argv)],
                                        timeout=FIRST_ROLLOUT_SECONDS + 60)
            if r.rc != 0:
                failed = [l for l in r.out.splitlines() if "FAILED" in l or "UNREACHABLE" in l or l.startswith("    ")]
                raise Broken(f"the first rollout to {len(self.hosts)} hosts failed (exit {r.rc})\n"
                             + "\n".join(failed[:20]) + f"\n{tail(r.out, 5)}\n{tail(r.err, 10)}")
            shutil.rmtree(wd, ignore_errors=True)
            return res
        return self.postfleet("run", argv + ["-f", str(len(self.hosts))], len(self.hosts))

    def openssh(self, copies):
        # ConnectTimeout bounds the banner exchange too: with 1,000 logins queued on the lab's
        # two cores an sshd can take more than ssh's usual 10 s to answer. postfleet has 10 s
        # to connect and 20 s for the handshake; ssh gets the same 30 s.
        commands = [(f"{name}{SUFFIXES[k] if copies > 1 else ''}", ssh_argv(self.key, self.kh, addr, "true", connect_timeout=30))
                    for name, addr in self.hosts for k in range(copies)]
        done, res, wd = self.measure("ssh", commands)
        bad = [f"{name}: exit {r.rc}: {r.err.strip()[-200:]}" for (name, _), r in zip(commands, done) if r.rc != 0]
        if bad:
            raise Broken(f"OpenSSH, {len(commands)} sessions: {len(bad)} failed:\n  " + "\n  ".join(bad[:10]))
        shutil.rmtree(wd, ignore_errors=True)
        res["lines"] = None
        return res


def run(args, session):
    session.lab = Lab(args.dir, args.hosts, args.keep_lab)
    binary = postfleet_binary(args, static=True)
    launcher = build_launcher(session.tmp)
    lab = session.lab.up()
    bench = ScaleBench(args, lab, session.tmp, launcher, binary)
    note()
    machine_facts(binary)
    note()
    h, s = len(bench.hosts), bench.sessions
    note(f"first rollout of border-cluster to {h} hosts (unmeasured) ...")
    first = bench.run_playbook(first=True)
    note(f"  done in {first['wall']:.1f} s")
    steps = [("exec-hosts", "postfleet", lambda: bench.exec_true(bench.inventory, h)),
             ("exec-hosts", "openssh", lambda: bench.openssh(1)),
             ("exec-sessions", "postfleet", lambda: bench.exec_true(bench.session_inventory, s)),
             ("exec-sessions", "openssh", lambda: bench.openssh(args.names)),
             ("instances", "postfleet", bench.instances),
             ("no-change", "postfleet", bench.run_playbook)]
    results = {(m, t): [] for m, t, _ in steps}
    note("warm-up (unmeasured): one of each")
    for _, _, f in steps:
        f()
    for r in range(args.repeat):
        # Alternate the order of postfleet and OpenSSH within each measure from round to round.
        order = steps if r % 2 == 0 else [steps[i ^ 1] if i < 4 else steps[i] for i in range(len(steps))]
        for m, t, f in order:
            time.sleep(SETTLE_SECONDS)
            res = f()
            results[(m, t)].append(res)
            note(f"  round {r + 1}/{args.repeat} {m:<14} {t:<9} wall {res['wall']:7.3f} s  cpu {res['cpu']:7.3f} s  "
                 f"rss {res['rss']:7.1f} MB" + (f"  {res['lines']} lines printed" if res["lines"] is not None else ""))
    scale_report(results, h, s, args)


def scale_report(results, h, s, args):
    med = {k: {f: statistics.median([r[f] for r in v]) for f in ("wall", "cpu", "rss", "machine")}
           for k, v in results.items()}
    titles = {"exec-hosts": f"exec true, {h} hosts", "exec-sessions": f"exec true, {s} sessions ({h} hosts x {args.names})",
              "instances": f"instances, {h} hosts", "no-change": f"no-change run of border-cluster, {h} hosts"}
    labels = {"postfleet": "postfleet (1 process)", "openssh": "OpenSSH (1 ssh each)"}
    note()
    note(f"RESULTS: median of {args.repeat} round{'s' if args.repeat != 1 else ''} (min-max); MB = 10^6 bytes")
    note(f"  {'':<48} {'wall s':<24} {'CPU s':<24} {'peak RSS MB':<22} {'machine CPU s':<16} lines")
    rows = []
    for m in ("exec-hosts", "exec-sessions", "instances", "no-change"):
        note(titles[m])
        for t in ("postfleet", "openssh"):
            runs = results.get((m, t))
            if not runs:
                continue
            lines = runs[-1]["lines"]
            note(f"  {labels[t]:<48} {fmt_stat([r['wall'] for r in runs], 3):<24} "
                 f"{fmt_stat([r['cpu'] for r in runs], 3):<24} {fmt_stat([r['rss'] for r in runs], 1):<22} "
                 f"{fmt_stat([r['machine'] for r in runs], 1):<16} {'' if lines is None else lines}")
            rows.append((titles[m], labels[t], runs))
        if (m, "openssh") in results:
            p, o = med[(m, "postfleet")], med[(m, "openssh")]
            note(f"  {'ratio postfleet/OpenSSH':<48} {ratio(p['wall'], o['wall']):<24.2f} "
                 f"{ratio(p['cpu'], o['cpu']):<24.3f} {ratio(p['rss'], o['rss']):<22.3f}")
        elif m != "exec-hosts":
            p, e = med[(m, "postfleet")], med[("exec-hosts", "postfleet")]
            note(f"  {'ratio to postfleet exec true on the hosts':<48} {ratio(p['wall'], e['wall']):<24.2f} "
                 f"{ratio(p['cpu'], e['cpu']):<24.2f} {ratio(p['rss'], e['rss']):<22.2f}")
    # What the hosts spent: the machine's CPU less the controller's, per host. The lab's
    # hosts share this machine's cores, so their work adds to every wall time here; on a
    # real fleet each host spends it on its own CPU, at the same time as the others.
    note()
    note("HOST SIDE (machine CPU less the controller's, per host; the lab's hosts share this machine's cores)")
    for m, n in (("exec-hosts", h), ("exec-sessions", s), ("instances", h), ("no-change", h)):
        p = med[(m, "postfleet")]
        note(f"  {titles[m]:<56} {1000 * (p['machine'] - p['cpu']) / n:6.1f} ms per {'session' if m == 'exec-sessions' else 'host'}")
    rss = max(r["rss"] for r in results[("exec-sessions", "postfleet")])
    wall = ratio(med[("exec-sessions", "postfleet")]["wall"], med[("exec-sessions", "openssh")]["wall"])
    again = ratio(med[("no-change", "postfleet")]["wall"], med[("exec-hosts", "postfleet")]["wall"])
    note()
    note("TARGETS")
    note(f"  peak RSS, exec on {s} sessions: {rss:.1f} MB (largest run; target < {RSS_TARGET_MB:.0f} MB): "
         f"{'PASS' if rss < RSS_TARGET_MB else 'FAIL'}")
    note(f"  wall time, exec on {s} sessions: {wall:.2f} x OpenSSH (target <= {WALL_TARGET}): "
         f"{'PASS' if wall <= WALL_TARGET else 'FAIL'}")
    note(f"  wall time, no-change run on {h} hosts: {again:.2f} x exec true (target <= {NO_CHANGE_TARGET}): "
         f"{'PASS' if again <= NO_CHANGE_TARGET else 'FAIL'}")
    if args.markdown:
        note()
        note("MARKDOWN")
        note()
        note("| measure | tool | wall s | controller CPU s | controller peak RSS MB |")
        note("|:--------|:-----|-------:|-----------------:|-----------------------:|")
        for title, label, runs in rows:
            note(f"| {title} | {label} | {fmt_stat([r['wall'] for r in runs], 3).replace('-', '–')} | "
                 f"{fmt_stat([r['cpu'] for r in runs], 3).replace('-', '–')} | "
                 f"{fmt_stat([r['rss'] for r in runs], 1).replace('-', '–')} |")
        note()
        note(f"Median of {args.repeat} rounds (min–max). OpenSSH's CPU is the sum over its ssh processes, its RSS "
             f"the largest sum at one moment (sampled every {SAMPLE_MS} ms). MB = 10^6 bytes.")
