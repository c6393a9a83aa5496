"""scripts/bench (no subcommand): `postmulti -l` on N lab hosts by one postfleet process
against N ssh processes, directly or through a jump host (--jump); the usage is DOC."""

import argparse
import json
import os
import re
import shutil
import statistics
import time
from pathlib import Path

from .base import LabBench
from .common import Broken, note, postfleet_binary, tail, parse_or_help
from .lab import DEFAULT_DIR, Lab, write_inventory
from .launcher import build_launcher, launch, mb
from .report import machine_facts, report
from .ssh import KEX, jump_ssh_config, ssh_argv

SETTLE_SECONDS = 1.0
# `postmulti -l` always lists the default instance: name and group unset, enabled.
DEFAULT_INSTANCE = re.compile(r"^-\s+-\s+y\s+/etc/postfix\s*$", re.M)
RECAP = re.compile(r"^ok=(\d+) failed=(\d+) unreachable=(\d+)\s+\((\d+) hosts? in ([0-9.]+)s\)\s*$", re.M)

DOC = """scripts/bench: postfleet against OpenSSH on the lab, in the same run.

Runs `postmulti -l` on N lab border hosts (default N = 20 and 100) twice per repeat:
once with one `postfleet exec` process (libssh2, one epoll thread), once with N `ssh`
processes started at once in the background (the same key exchange, curve25519-sha256).
Prints the wall time, the controller's CPU time (user + sys) and peak RSS of each, and
their ratios, then whether the targets hold:

  wall time of postfleet <= OpenSSH's at N = 100; postfleet's peak RSS < 60 MB.

USAGE
  scripts/bench [--sizes 20,100] [--repeat 3] [--keep-lab] [--dir DIR]
                [--markdown] [--timeout SECONDS] [--no-build] [--jump]
  scripts/bench rollout [--hosts 20] [--repeat 3] ...
      the border-cluster rollout (first run and no-change run) against OpenSSH, pyinfra
      and Ansible: see `scripts/bench rollout --help`
  scripts/bench queue [--messages 100000] [--fleet 100] ...
      `postfleet queue` on one instance holding 100,000 messages and on 100 hosts,
      against ssh + postqueue -j and qshape: see `scripts/bench queue --help`
  scripts/bench scale [--hosts 249] [--names 4] ...
      one controller on 249 hosts (exec, instances, a no-change run) and on 996 sessions,
      against OpenSSH fan-out: see `scripts/bench scale --help`
  scripts/bench load [--sizes 1000,10000,100000] ...
      loading inventories of up to 100,000 hosts and rendering border-cluster for them,
      against ansible-inventory, without the lab: see `scripts/bench load --help`

  --sizes      host counts to measure, comma separated (1..249)
  --repeat     measured runs per tool and size (the median is reported); one
               unmeasured warm-up of each tool per size comes first, and the order of
               the two tools alternates from one repeat to the next
  --keep-lab   leave the lab up at the end (`scripts/lab down --dir DIR` removes it)
  --dir        the lab's directory (default /var/tmp/postfleet-bench)
  --markdown   also print the results as a Markdown table (for the README)
  --timeout    seconds one run of one tool may take before it counts as broken (120)
  --no-build   use the existing .build-bench/release/postfleet as it is
  --jump       reach the N hosts (mta2 .. mtaN+1) through mta1 as a jump host (ProxyJump):
               postfleet with the inventory's `jump_host: root@ADDR` (a session inside a
               direct-tcpip channel of a session to mta1, per host, in one process);
               OpenSSH with `-J root@ADDR` (per host an ssh, which starts a second ssh to
               mta1 running `-W`), the jump host's settings from a generated ssh_config
               (the same key, known_hosts, key exchange), as `-J` takes no -o options

THE LAB
  The bench builds postfleet in release mode (scratch path .build-bench, so it does not
  share a build folder with anyone), brings up max(sizes) border hosts with
  `scripts/lab up`, and always takes that lab down again at the end, also on an error,
  Ctrl-C or SIGTERM, unless --keep-lab is given.
  A lab that is already up is never taken down by the bench:
   - if it is in DIR, has at least max(sizes) hosts and `scripts/lab status` is all up,
     the bench REUSES it and leaves it up afterwards (measurements are only meaningful
     if nothing else uses the machine meanwhile);
   - any other lab on the machine (the lab is one per machine: bridge pflab0) makes the
     bench stop with exit status 3 and say which; take it down yourself first.
  Traffic goes only to the lab's addresses in 198.18.0.0/24; the bench checks every
  address it reads from the lab inventory and refuses anything else.

WHAT IS MEASURED (Linux wait4 rusage of each process)
  Both tools are started by the same small C launcher (bench/launcher.c, compiled at run
  time with cc or the Swift toolchain's clang), which forks and execs every process of a
  run, reaps each with wait4 and reports its rusage and start/end times. Not from Python:
  Linux counts the RSS a process had before its exec into its ru_maxrss, so every child
  of Python would show Python's ~14 MB instead of its own (an ssh uses about 7 MB).
  postfleet  `postfleet exec -i INV -f N --known-hosts KH -- postmulti -l`, where INV
             holds exactly the first N border hosts with the lab inventory's vars.
             wall = fork to reap; CPU = its user + sys; RSS = its ru_maxrss.
             Checks: exit 0, recap `ok=N failed=0 unreachable=0`, the default instance
             line of `postmulti -l` in the output.
  OpenSSH    N x `ssh -F /dev/null -i KEY -o BatchMode=yes -o KexAlgorithms=curve25519-sha256
             -o ControlMaster=no -o ControlPath=none -o StrictHostKeyChecking=yes ...
             root@ADDR postmulti -l`, all spawned before any is waited for.
             wall = first fork to last reap; CPU = the sum over the N processes;
             RSS = the sum of their ru_maxrss (they run at once, so that is what the
             controller holds; an upper bound, as each peak may come at another
             moment), and the largest single one.
             Checks: every ssh exits 0 and prints the default instance line.
  machine CPU  all CPU time the machine spent during the run (/proc/stat), which
             includes the lab's sshd and postmulti: the two tools share one machine
             with their servers.
  MB here are 10^6 bytes (ru_maxrss KiB x 1024 / 10^6).
  The key exchange actually negotiated is checked once per run of the bench: for
  OpenSSH from `ssh -v`, for postfleet from a one-shot `sshd -d` on port 2222 of the
  first lab host (its debug log names the algorithm).

EXIT STATUS
  0 the bench ran (whether or not a target holds: it reports), 1 something broke (build,
  lab, a run failed its checks or timed out), 2 bad usage, 3 another lab is up,
  130 interrupted.
"""


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="scripts/bench", description=DOC.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="20,100")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep-lab", action="store_true")
    ap.add_argument("--dir", default=DEFAULT_DIR)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--jump", action="store_true")
    a = parse_or_help(ap, argv, DOC)
    try:
        a.sizes = sorted({int(s) for s in a.sizes.split(",") if s.strip()})
    except ValueError:
        ap.error(f"--sizes must be numbers separated by commas, not {a.sizes!r}")
    if not a.sizes or any(n < 1 or n > (248 if a.jump else 249) for n in a.sizes):
        ap.error(f"--sizes must be from 1 to {248 if a.jump else 249}")
    if a.repeat < 1 or a.repeat > 50:
        ap.error("--repeat must be from 1 to 50")
    if a.timeout <= 0:
        ap.error("--timeout must be positive")
    a.dir = os.path.realpath(a.dir)
    return a



class ExecBench(LabBench):
    """postfleet exec and N x ssh on the first N border hosts of the lab (with --jump, on
    the hosts after the first, reached through it)."""

    def __init__(self, args, lab, tmp, launcher, bin):
        super().__init__(args, lab, tmp, launcher, bin)
        self.hosts = lab.hosts
        # With --jump, the first host is the jump host and the others are measured.
        self.jump = self.hosts[0] if args.jump else None
        self.targets = self.hosts[1:] if args.jump else self.hosts
        self.ssh_config = "/dev/null"
        variables = dict(self.vars)
        if self.jump:
            self.ssh_config = str(self.tmp / "ssh_config")
            jump_ssh_config(self.ssh_config, self.key, self.kh, self.jump[1])
            variables["jump_host"] = f"root@{self.jump[1]}"
        for n in args.sizes:
            if n > len(self.targets):
                raise Broken(f"the lab inventory has {len(self.targets)} border hosts to measure, {n} needed")
        self.inventories = {}
        for n in args.sizes:
            inv = self.tmp / f"inventory-{n}.yml"
            write_inventory(inv, variables, self.targets[:n])
            self.inventories[n] = inv

    # -- postfleet ----------------------------------------------------------
    def postfleet(self, n, json_path=None):
        argv = [str(self.bin), "exec", "-i", str(self.inventories[n]), "-f", str(n), "--known-hosts", self.kh]
        if json_path:
            argv += ["--json", str(json_path)]
        argv += ["--", "postmulti", "-l"]
        wd = self.workdir()
        [r], machine = launch(self.launcher, [("postfleet", argv)], wd, "postfleet", self.args.timeout)
        problem = None
        recap = RECAP.search(r.out)
        if r.rc != 0:
            problem = f"exit status {r.rc}"
        elif not recap:
            problem = "no recap line in its output"
        elif (int(recap.group(1)), int(recap.group(2)), int(recap.group(3))) != (n, 0, 0):
            problem = f"recap says {recap.group(0).strip()!r}, expected ok={n} failed=0 unreachable=0"
        elif not DEFAULT_INSTANCE.search(r.out):
            problem = "the default instance line of postmulti -l is missing from its output"
        if problem:
            raise Broken(f"postfleet on {n} hosts: {problem}\n$ {' '.join(argv)}\n"
                         f"{tail(r.out, 30)}\n{tail(r.err, 10)}")
        shutil.rmtree(wd, ignore_errors=True)
        return {"wall": r.end - r.start, "cpu": r.cpu, "rss": mb(r.rss_kib), "rss_max1": mb(r.rss_kib),
                "machine": machine, "internal": float(recap.group(5))}

    # -- OpenSSH ------------------------------------------------------------
    def openssh(self, n):
        jump = self.jump[1] if self.jump else None
        commands = [(name, ssh_argv(self.key, self.kh, addr, "postmulti -l", jump=jump, config=self.ssh_config))
                    for name, addr in self.targets[:n]]
        wd = self.workdir()
        done, machine = launch(self.launcher, commands, wd, "ssh", self.args.timeout)
        bad = []
        for (name, _), r in zip(commands, done):
            if r.rc != 0:
                bad.append(f"{name}: exit {r.rc}: {r.err.strip()[-300:]}")
            elif not DEFAULT_INSTANCE.search(r.out):
                bad.append(f"{name}: no default instance line in {r.out[-200:]!r}")
        if bad:
            raise Broken(f"OpenSSH on {n} hosts: {len(bad)} of {n} failed:\n  " + "\n  ".join(bad[:10]))
        shutil.rmtree(wd, ignore_errors=True)
        t0 = min(r.start for r in done)
        rss = [mb(r.rss_kib) for r in done]
        per_host = [r.end - r.start for r in done]
        return {"wall": max(r.end for r in done) - t0, "cpu": sum(r.cpu for r in done), "rss": sum(rss),
                "rss_max1": max(rss), "machine": machine, "spawn": max(r.start for r in done) - t0,
                "per_host_median": statistics.median(per_host), "per_host_max": max(per_host)}



def run(args, session):
    """The exec bench's body, in a session.Session (which takes down the lab it brings up)."""
    session.lab = Lab(args.dir, max(args.sizes) + (1 if args.jump else 0), args.keep_lab)
    binary = postfleet_binary(args)
    launcher = build_launcher(session.tmp)
    lab = session.lab.up()
    bench = ExecBench(args, lab, session.tmp, launcher, binary)
    note()
    machine_facts(binary)
    note(f"  key exchange: OpenSSH forced to {KEX}: {bench.openssh_kex()}")
    note(f"                postfleet ({KEX} first in its list): {bench.postfleet_kex()}")
    if bench.jump:
        note(f"  every host is reached through the jump host {bench.jump[0]} ({bench.jump[1]}): "
             f"postfleet jump_host, OpenSSH -J")
    note()

    results = {}
    for n in args.sizes:
        note(f"N = {n}: warm-up (unmeasured)")
        bench.postfleet(n)
        bench.openssh(n)
        results[n] = {"postfleet": [], "openssh": []}
        for r in range(args.repeat):
            order = ("postfleet", "openssh") if r % 2 == 0 else ("openssh", "postfleet")
            for tool in order:
                time.sleep(SETTLE_SECONDS)
                res = bench.postfleet(n) if tool == "postfleet" else bench.openssh(n)
                results[n][tool].append(res)
                note(f"  run {r + 1}/{args.repeat} {tool:<9} wall {res['wall']:.3f} s  cpu {res['cpu']:.3f} s  "
                     f"rss {res['rss']:.1f} MB  machine cpu {res['machine']:.2f} s")
        # one extra run with --json, to see how long each host took inside postfleet
        time.sleep(SETTLE_SECONDS)
        js = Path(session.tmp) / f"postfleet-{n}.json"
        bench.postfleet(n, json_path=js)
        try:
            doc = json.loads(js.read_text())
            secs = sorted(h["seconds"] for h in doc["hosts"].values())
            results[n]["diag"] = (f"median {statistics.median(secs):.3f} s, max {secs[-1]:.3f} s, "
                                  f"min {secs[0]:.3f} s (run total {doc['summary']['seconds']:.3f} s)")
        except (OSError, ValueError, KeyError) as e:
            results[n]["diag"] = f"unreadable JSON: {e}"
    report(results, args.sizes, args.repeat, args.markdown)
