"""scripts/bench load: loading inventories of 1,000 to 100,000 hosts and rendering
border-cluster for them, postfleet next to ansible-inventory; the usage is DOC."""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from . import inventories
from .common import REPO, Broken, note, postfleet_binary, run_quiet, tail, parse_or_help
from .launcher import build_launcher, launch, mb
from .load_report import fs_type, load_report
from .report import machine_facts

DOC = """scripts/bench load: loading and rendering large inventories, postfleet against
ansible-inventory, in the same run. No lab, no root, no network.

For each size N (default 1,000, 10,000 and 100,000 border hosts) it writes an inventory
shaped like inventories/example.yml (all: vars; border: four site groups of mtaK hosts
with ansible_host, border_address, some rack numbers and maintenance flags; hub:
mailhub), with group_vars/ files and a host_vars/ file for one host in 100, once in
Ansible's YAML format and once in INI, and measures:

  postfleet --list   `postfleet inventory -i INV --list`: load and print every host's
                     variables as JSON (the end-to-end measure)
  postfleet load     `postfleet inventory -i INV --host mta1`: the same load, one host printed
  ansible-inventory  `ansible-inventory -i INV --list` (ansible-core from scripts/ansible-venv),
                     killed and shown as "timeout" after --ansible-timeout seconds
  render             `postfleet render playbooks/border-cluster.yml -i INV --all --out OUT`
                     for the YAML inventory of each --render-sizes size (6 files and 5
                     directories per host); a size is skipped when the previous one says
                     it would take more than --render-budget seconds. Next to it, the same
                     directories and files made by a bare Python loop: what the file
                     system alone costs here (the sys time of render is mostly that)

CPU is user + sys of the process (wait4), RSS its peak (ru_maxrss), both as the C
launcher (bench/launcher.c) reaps it; MB = 10^6 bytes. postfleet's load runs are
repeated (--repeat, median shown); ansible-inventory and render run once per size.
On the smallest size, the JSON of postfleet and of ansible-inventory must be the same
after parsing, for both formats; postfleet's YAML and INI outputs must be the same
bytes at every size. Any failure stops the bench (exit 1).

USAGE
  scripts/bench load [--sizes 1000,10000,100000] [--render-sizes 1000,10000,100000]
                     [--repeat 3] [--ansible-timeout 300] [--render-budget 60]
                     [--no-ansible] [--no-build] [--postfleet PATH] [--markdown]

WHERE
  Inventories and render output go in a fresh directory under $POSTFLEET_BENCH_DIR, or
  .build-bench/ of the repository (git-ignored), removed at the end (also on Ctrl-C).
  At 100,000 hosts: about 30 MB of inventory and, if render runs, 1.1 million files.
  The file system matters for render: creating a file costs 5 us on tmpfs and up to
  0.3 ms on an ext4 busy with other builds; the floor column shows which.

EXIT STATUS
  0 the bench ran (whether or not a target holds), 1 something broke, 2 bad usage,
  130 interrupted.
"""

LOAD_TIMEOUT = 300
ANSIBLE_VENV_TIMEOUT = 900
PLAYBOOK = REPO / "playbooks" / "border-cluster.yml"
FLOOR = """
import os, sys
out, n = sys.argv[1], int(sys.argv[2])
sizes = {"postfix/main.cf": 1600, "postfix/generic": 280, "postfix/virtual": 120, "postfix-out/main.cf": 2500,
         "postfix-out/master.cf.postconf": 400, "postfix-in/main.cf": 2700}
os.mkdir(out)
for k in range(1, n + 1):
    d = f"{out}/mta{k}"
    os.mkdir(d); os.mkdir(d + "/etc")
    for sub in ("postfix", "postfix-out", "postfix-in"):
        os.mkdir(f"{d}/etc/{sub}")
    for name, size in sizes.items():
        fd = os.open(f"{d}/etc/{name}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, b"x" * size)
        os.close(fd)
"""


def sizes(text, what, ap):
    try:
        values = sorted({int(s) for s in text.split(",") if s.strip()})
    except ValueError:
        ap.error(f"{what} must be numbers separated by commas, not {text!r}")
    if any(n < 1 or n > 131000 for n in values):
        ap.error(f"{what} must be from 1 to 131000 (the addresses of 198.18.0.0/15)")
    return values


def parse_load_args(argv):
    ap = argparse.ArgumentParser(prog="scripts/bench load", description=DOC.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--render-sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ansible-timeout", type=float, default=300)
    ap.add_argument("--render-budget", type=float, default=60)
    ap.add_argument("--no-ansible", action="store_true")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--postfleet")
    ap.add_argument("--markdown", action="store_true")
    a = parse_or_help(ap, argv, DOC)
    a.sizes = sizes(a.sizes, "--sizes", ap)
    a.render_sizes = [n for n in sizes(a.render_sizes, "--render-sizes", ap) if n in a.sizes]
    if not 1 <= a.repeat <= 20:
        ap.error("--repeat must be from 1 to 20")
    if a.ansible_timeout <= 0 or a.render_budget <= 0:
        ap.error("--ansible-timeout and --render-budget must be positive")
    return a


def scratch_root():
    return os.environ.get("POSTFLEET_BENCH_DIR") or str(REPO / ".build-bench")


def ansible_inventory():
    note("$ scripts/ansible-venv")
    rc, out = run_quiet([str(REPO / "scripts" / "ansible-venv")], ANSIBLE_VENV_TIMEOUT, "scripts/ansible-venv")
    path = out.strip().splitlines()[-1] if out.strip() else ""
    if rc != 0 or not os.access(path, os.X_OK):
        raise Broken(f"scripts/ansible-venv failed (exit {rc}):\n{tail(out, 20)}")
    return path


class LoadBench:
    def __init__(self, args, tmp, launcher, binary, ansible):
        self.args, self.tmp, self.launcher, self.bin, self.ansible = args, Path(tmp), launcher, binary, ansible
        self.seq = 0
        state = self.tmp / "ansible-state"
        state.mkdir()
        (state / "ansible.cfg").write_text("[defaults]\n")
        self.ansible_env = dict(os.environ, ANSIBLE_CONFIG=str(state / "ansible.cfg"), ANSIBLE_HOME=str(state),
                                ANSIBLE_LOCAL_TEMP=str(state / "tmp"), ANSIBLE_NOCOLOR="1", LC_ALL="C.UTF-8")

    def run(self, name, argv, timeout, env=None):
        """One command through the launcher: (Launched, its stdout as bytes)."""
        self.seq += 1
        wd = self.tmp / f"run-{self.seq:04d}"
        wd.mkdir()
        [r], _ = launch(self.launcher, [(name, [str(a) for a in argv])], wd, name, timeout, env=env, allow_killed=True)
        out = (wd / f"{name}-{name}.out").read_bytes()
        shutil.rmtree(wd, ignore_errors=True)
        if not r.killed and r.rc != 0:
            raise Broken(f"{name} exited {r.rc}\n$ {' '.join(map(str, argv))}\n{tail(r.err, 15)}")
        return r, out

    def postfleet(self, inventory, mode):
        argv = [self.bin, "inventory", "-i", inventory] + (["--list"] if mode == "list" else ["--host", "mta1"])
        runs = []
        out = b""
        for _ in range(self.args.repeat):
            r, out = self.run("postfleet", argv, LOAD_TIMEOUT)
            if r.killed:
                raise Broken(f"postfleet inventory --{mode} still ran after {LOAD_TIMEOUT} s")
            runs.append({"cpu": r.cpu, "wall": r.end - r.start, "rss": mb(r.rss_kib)})
        return runs, out

    def ansible_list(self, inventory):
        r, out = self.run("ansible", [self.ansible, "-i", inventory, "--list"], self.args.ansible_timeout,
                          env=self.ansible_env)
        if r.killed:
            return {"timeout": True}, None
        return {"cpu": r.cpu, "wall": r.end - r.start, "rss": mb(r.rss_kib)}, out

    def render(self, inventory, n, timeout):
        out = self.tmp / "render-out"
        r, text = self.run("render", [self.bin, "render", PLAYBOOK, "-i", inventory, "--all", "--out", out], timeout)
        shutil.rmtree(out, ignore_errors=True)
        if r.killed:
            return {"timeout": True}
        lines = text.decode(errors="replace").splitlines()
        if len(lines) != n + 1 or not all(" 6 files in " in line for line in lines[:n]):
            raise Broken(f"render of {n} hosts printed {len(lines)} lines, expected {n} hosts with 6 files and the hub")
        return {"user": r.user, "sys": r.sys, "cpu": r.cpu, "wall": r.end - r.start, "rss": mb(r.rss_kib)}

    def floor(self, n, timeout):
        out = self.tmp / "floor-out"
        script = self.tmp / "floor.py"
        script.write_text(FLOOR)
        r, _ = self.run("floor", [sys.executable, script, out, n], timeout)
        shutil.rmtree(out, ignore_errors=True)
        return None if r.killed else {"user": r.user, "sys": r.sys}


def same_json(a, b):
    return json.loads(a) == json.loads(b)


def run(args, session):
    binary = postfleet_binary(args)
    launcher = build_launcher(session.tmp)
    ansible = None if args.no_ansible else ansible_inventory()
    note()
    machine_facts(binary)
    note(f"  files:    {session.tmp} ({fs_type(session.tmp)})")
    note(f"  ansible-inventory: {ansible or 'not run (--no-ansible)'}")
    bench = LoadBench(args, session.tmp, launcher, binary, ansible)
    results = {"load": {}, "render": {}, "checks": []}
    for n in args.sizes:
        digests = {}
        for fmt in ("yaml", "ini"):
            directory = Path(session.tmp) / f"{fmt}-{n}"
            inventory = inventories.write(directory, n, fmt)
            note(f"N = {n} {fmt.upper()}: {inventory.stat().st_size / 1e6:.1f} MB")
            row = {}
            row["list"], listed = bench.postfleet(inventory, "list")
            row["load"], _ = bench.postfleet(inventory, "host")
            digests[fmt] = hashlib.sha256(listed).hexdigest()
            if ansible:
                row["ansible"], theirs = bench.ansible_list(inventory)
                if n == args.sizes[0]:
                    if theirs is None:
                        results["checks"].append(f"{n} {fmt}: ansible-inventory timed out, outputs not compared")
                    elif not same_json(listed, theirs):
                        raise Broken(f"{n} hosts, {fmt}: postfleet's --list JSON differs from ansible-inventory's")
                    else:
                        results["checks"].append(f"{n} hosts {fmt.upper()}: postfleet and ansible-inventory "
                                                 f"--list give the same JSON")
            results["load"][(n, fmt)] = row
            if fmt == "yaml" and n in args.render_sizes:
                measure_render(bench, args, results["render"], inventory, n)
            shutil.rmtree(directory, ignore_errors=True)
        if digests["yaml"] != digests["ini"]:
            raise Broken(f"{n} hosts: postfleet's --list differs between the YAML and the INI inventory")
        results["checks"].append(f"{n} hosts: postfleet's --list is the same bytes from YAML and from INI")
    load_report(results, args)


def measure_render(bench, args, done, inventory, n):
    """Render border-cluster for n hosts unless the previous size says it would blow the budget."""
    if done:
        m = max(done)
        prior = done[m]
        estimate = None if prior.get("timeout") else prior["cpu"] * n / m
        if estimate is None or estimate > args.render_budget:
            shown = "timed out" if estimate is None else f"took {prior['cpu']:.1f} s of CPU"
            done[n] = {"skipped": f"{m} hosts {shown}: about {n // m} times that is over the budget of "
                                  f"{args.render_budget:.0f} s (--render-budget)"}
            note(f"  render {n}: skipped ({done[n]['skipped']})")
            return
    timeout = max(120.0, 3 * args.render_budget)
    note(f"  render {n} hosts")
    row = bench.render(inventory, n, timeout)
    if not row.get("timeout"):
        row["floor"] = bench.floor(n, timeout)
    done[n] = row
