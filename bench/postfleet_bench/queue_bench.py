"""scripts/bench queue: `postfleet queue` on one instance holding 100,000 messages, and on
N hosts at once, against what an administrator runs today over OpenSSH; the usage is DOC."""

import argparse
import os
import re
import statistics
import time

from .base import LabBench
from .common import LAB, Broken, note, postfleet_binary, run_quiet, tail, parse_or_help
from .lab import DEFAULT_DIR, Lab, write_inventory
from .launcher import build_launcher, launch, mb
from .report import machine_facts
from .ssh import ssh_argv

SETTLE_SECONDS = 1.0
DOMAINS = ["one.example", "two.example", "three.example", "four.example"]
# What an administrator loops over today, per host: every instance's queue.
EVERY_INSTANCE = "for d in $(postmulti -l | awk '{ print $4 }'); do postqueue -c \"$d\" -j; done"

DOC = """scripts/bench queue: postfleet's fleet queue view against OpenSSH, in the same run.

The queue: the lab's mta1, its default instance made to put every message it receives
in the hold queue (smtpd_recipient_restrictions = check_recipient_access static:HOLD),
then fed MESSAGES messages by Postfix's own smtp-source(1) over SMTP on 127.0.0.1:25,
to four recipient domains in turn. Real queue files, written by Postfix's cleanup.

Measured, each REPEAT times (median, min-max), the order of the tools alternating:
  postfleet      `postfleet queue -l mta1 --instance -`: one SSH session, postqueue -j
                 streamed and summarised as it arrives (counts, sizes, ages, reasons,
                 recipient domains by age); the controller never holds the listing.
  postfleet --messages
                 the same with `--json FILE --messages`: every message kept for the JSON,
                 so its memory grows with the queue (the one mode that does).
  ssh postqueue -j
                 `ssh mta1 postqueue -j >FILE`: only fetching the listing, no summary:
                 the floor any controller-side tool pays.
  ssh qshape     `ssh mta1 qshape hold`: Postfix's own summary, run on the host (Perl
                 reading every queue file): what an administrator runs today, per host.
Then the fleet: `postfleet queue` on the N lab hosts after mta1 (--fleet, default 100,
at most 248; their queues as the lab leaves them, empty; postfleet at its default
--forks, min(N, 100)) against N ssh at once, each running the
loop an administrator writes for a multi-instance host:
  for d in $(postmulti -l | awk '{ print $4 }'); do postqueue -c "$d" -j; done

Printed: wall time, the controller's CPU (user + sys) and peak RSS, and ratios against
postfleet. MB are 10^6 bytes. The lab is brought up and taken down as `scripts/bench
help` says (default --dir /var/tmp/postfleet-bench).

USAGE
  scripts/bench queue [--messages 100000] [--repeat 3] [--fleet 100] [--dir DIR]
                      [--keep-lab] [--no-build] [--markdown] [--timeout SECONDS]

EXIT STATUS
  0 the bench ran, 1 something broke, 2 bad usage, 3 another lab is up, 130 interrupted.
"""


def parse_queue_args(argv):
    ap = argparse.ArgumentParser(prog="scripts/bench queue", description=DOC.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--fleet", type=int, default=100)
    ap.add_argument("--keep-lab", action="store_true")
    ap.add_argument("--dir", default=DEFAULT_DIR)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--no-build", action="store_true")
    a = parse_or_help(ap, argv, DOC)
    if not 1 <= a.messages <= 1_000_000:
        ap.error("--messages must be from 1 to 1,000,000")
    if not 1 <= a.repeat <= 50:
        ap.error("--repeat must be from 1 to 50")
    if not 0 <= a.fleet <= 248:
        ap.error("--fleet must be from 0 (no fleet part) to 248")
    if a.timeout <= 0:
        ap.error("--timeout must be positive")
    a.dir = os.path.realpath(a.dir)
    return a


class QueueBench(LabBench):
    def __init__(self, args, lab, tmp, launcher, bin):
        super().__init__(args, lab, tmp, launcher, bin)
        self.hosts = lab.hosts
        self.one = self.hosts[0]
        self.inventory = self.tmp / "inventory.yml"
        write_inventory(self.inventory, self.vars, self.hosts[:1])
        # The fleet: the hosts after the one whose queue is filled, so its listing is not in their time.
        self.fleet = self.hosts[1:1 + args.fleet]
        self.fleet_inventory = self.tmp / "fleet.yml"
        write_inventory(self.fleet_inventory, self.vars, self.fleet)

    def lab_sh(self, host, script, timeout, what):
        rc, out = run_quiet([str(LAB), "exec", "--dir", str(self.lab_dir), host, "--", "sh", "-c", script], timeout, what)
        if rc != 0:
            raise Broken(f"{what} failed on {host} (exit {rc}):\n{tail(out, 20)}")
        return out

    def fill(self, messages):
        """Holds every message the default instance of mta1 receives, and sends it `messages`."""
        name = self.one[0]
        per = [messages // len(DOMAINS) + (1 if i < messages % len(DOMAINS) else 0) for i in range(len(DOMAINS))]
        sends = "\n".join(f"smtp-source -s 20 -m {n} -f bench@example.net -t user@{d} 127.0.0.1:25 || exit 1"
                          for n, d in zip(per, DOMAINS) if n)
        t0 = time.monotonic()
        self.lab_sh(name, f"""
            postconf -e 'smtpd_recipient_restrictions = check_recipient_access static:HOLD' && postfix reload >/dev/null 2>&1
            sleep 1
            {sends}
            """, 3600, "filling the queue with smtp-source")
        # Every message in hold: cleanup may still be writing the last ones.
        for _ in range(120):
            out = self.lab_sh(name, "find \"$(postconf -h queue_directory)/hold\" -type f | wc -l", 60, "counting the hold queue")
            if int(out.strip() or 0) >= messages:
                break
            time.sleep(0.5)
        else:
            raise Broken(f"{name}: the hold queue did not reach {messages} messages: {out.strip()}")
        du = self.lab_sh(name, "du -sk \"$(postconf -h queue_directory)/hold\" | cut -f1", 60, "sizing the hold queue")
        return time.monotonic() - t0, int(du.strip()) * 1024 / 1e6

    def measure(self, tag, argv, check):
        wd = self.workdir()
        [r], machine = launch(self.launcher, [(tag, argv)], wd, tag, self.args.timeout)
        problem = check(r)
        if problem:
            raise Broken(f"{tag}: {problem}\n$ {' '.join(argv)}\n{tail(r.out, 20)}\n{tail(r.err, 10)}")
        return {"wall": r.end - r.start, "cpu": r.cpu, "rss": mb(r.rss_kib), "machine": machine}

    def postfleet(self, messages, keep=False):
        argv = [str(self.bin), "queue", "-i", str(self.inventory), "--known-hosts", self.kh, "-l", self.one[0], "--instance", "-"]
        if keep:
            argv += ["--json", str(self.tmp / "queue.json"), "--messages"]
        expected = f"{messages} messages"

        def check(r):
            if r.rc != 0:
                return f"exit status {r.rc}"
            if f"1 of 1 host read, 1 instance, {expected}" not in r.out or f"{messages} hold" not in r.out:
                return f"the summary does not say {expected}, all held"
            return None
        return self.measure("postfleet", argv, check)

    def ssh_listing(self, messages):
        argv = ssh_argv(self.key, self.kh, self.one[1], "postqueue -j")

        def check(r):
            if r.rc != 0:
                return f"exit status {r.rc}: {r.err.strip()[-300:]}"
            lines = r.out.count("\n")
            return None if lines == messages else f"{lines} lines listed, {messages} expected"
        return self.measure("ssh", argv, check)

    def ssh_qshape(self, messages):
        argv = ssh_argv(self.key, self.kh, self.one[1], "qshape hold")

        def check(r):
            if r.rc != 0:
                return f"exit status {r.rc}: {r.err.strip()[-300:]}"
            total = re.search(r"^\s*TOTAL\s+(\d+)", r.out, re.M)
            return None if total and int(total.group(1)) == messages else f"qshape's TOTAL is not {messages}"
        return self.measure("qshape", argv, check)

    def fleet_postfleet(self, n):
        argv = [str(self.bin), "queue", "-i", str(self.fleet_inventory), "--known-hosts", self.kh]

        def check(r):
            if r.rc != 0:
                return f"exit status {r.rc}"
            return None if f"{n} of {n} hosts read" in r.out else f"the summary does not say {n} of {n} hosts read"
        return self.measure("postfleet", argv, check)

    def fleet_openssh(self, n):
        commands = [(name, ssh_argv(self.key, self.kh, addr, EVERY_INSTANCE)) for name, addr in self.fleet]
        wd = self.workdir()
        done, machine = launch(self.launcher, commands, wd, "ssh", self.args.timeout)
        bad = [f"{name}: exit {r.rc}" for (name, _), r in zip(commands, done) if r.rc != 0]
        if bad:
            raise Broken(f"OpenSSH on {n} hosts: " + ", ".join(bad[:10]))
        return {"wall": max(r.end for r in done) - min(r.start for r in done), "cpu": sum(r.cpu for r in done),
                "rss": sum(mb(r.rss_kib) for r in done), "machine": machine}


def stat(values, digits):
    med = statistics.median(values)
    return f"{med:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def table(title, rows, base, markdown):
    """rows: [(label, [runs])]; ratios against the row labelled `base`."""
    note(title)
    header = ["tool", "wall s", "controller CPU s", "controller peak RSS MB", "wall ratio to postfleet"]
    base_wall = statistics.median(r["wall"] for r in dict(rows)[base])
    lines = []
    for label, runs in rows:
        wall = statistics.median(r["wall"] for r in runs)
        lines.append([label, stat([r["wall"] for r in runs], 3), stat([r["cpu"] for r in runs], 3),
                      stat([r["rss"] for r in runs], 1), f"{wall / base_wall:.2f}"])
    widths = [max(len(header[i]), *(len(l[i]) for l in lines)) for i in range(len(header))]
    for l in [header] + lines:
        note("  " + "  ".join(c.ljust(w) for c, w in zip(l, widths)))
    if markdown:
        print()
        print("| " + " | ".join(header) + " |")
        print("|:--|" + "--:|" * (len(header) - 1))
        for l in lines:
            print("| " + " | ".join(l) + " |")
        print()


def run(args, session):
    session.lab = Lab(args.dir, 1 + args.fleet, args.keep_lab)
    binary = postfleet_binary(args)
    launcher = build_launcher(session.tmp)
    lab = session.lab.up()
    bench = QueueBench(args, lab, session.tmp, launcher, binary)
    note()
    machine_facts(binary)
    note()
    m = args.messages
    note(f"filling {bench.one[0]}'s default instance with {m} held messages (smtp-source over SMTP) ...")
    seconds, size = bench.fill(m)
    note(f"  {m} messages queued in {seconds:.1f} s; the hold directory holds {size:.1f} MB")
    note("warm-up (unmeasured)")
    bench.postfleet(m)
    bench.ssh_listing(m)
    runs = {"postfleet": [], "postfleet --messages": [], "ssh postqueue -j": [], "ssh qshape": []}
    tools = {"postfleet": lambda: bench.postfleet(m), "postfleet --messages": lambda: bench.postfleet(m, keep=True),
             "ssh postqueue -j": lambda: bench.ssh_listing(m), "ssh qshape": lambda: bench.ssh_qshape(m)}
    for r in range(args.repeat):
        order = list(tools) if r % 2 == 0 else list(reversed(list(tools)))
        for tool in order:
            time.sleep(SETTLE_SECONDS)
            res = tools[tool]()
            runs[tool].append(res)
            note(f"  run {r + 1}/{args.repeat} {tool:<22} wall {res['wall']:.3f} s  cpu {res['cpu']:.3f} s  rss {res['rss']:.1f} MB")
    note()
    table(f"One instance, {m} messages (median of {args.repeat}, min–max):", list(runs.items()), "postfleet", args.markdown)

    if args.fleet:
        n = args.fleet
        note()
        note(f"N = {n} hosts: warm-up (unmeasured)")
        bench.fleet_postfleet(n)
        bench.fleet_openssh(n)
        fleet = {"postfleet (1 process)": [], f"OpenSSH ({n} × ssh, postqueue -j per instance)": []}
        for r in range(args.repeat):
            order = list(fleet) if r % 2 == 0 else list(reversed(list(fleet)))
            for tool in order:
                time.sleep(SETTLE_SECONDS)
                res = bench.fleet_postfleet(n) if tool.startswith("postfleet") else bench.fleet_openssh(n)
                fleet[tool].append(res)
                note(f"  run {r + 1}/{args.repeat} {tool:<30} wall {res['wall']:.3f} s  cpu {res['cpu']:.3f} s  rss {res['rss']:.1f} MB")
        note()
        table(f"{n} hosts at once (median of {args.repeat}, min–max):", list(fleet.items()), "postfleet (1 process)", args.markdown)
