"""Starting and measuring the tools: every command of a run goes through the C launcher
(bench/launcher.c, compiled here at run time), which reports each process's wait4 rusage
and, with sampling on, the RSS of the whole process tree."""

import os
import shutil
import signal
import subprocess
from pathlib import Path

from .common import REPO, Broken, run_quiet, tail, warn

SOURCE = REPO / "bench" / "launcher.c"
LIVE = set()  # Popen objects not yet reaped; killed on the way out


def c_compiler():
    for cc in ("cc", "gcc", "clang"):
        if shutil.which(cc):
            return shutil.which(cc)
    swift = shutil.which("swift")
    if swift:  # every Swift toolchain carries clang next to swift
        clang = Path(os.path.realpath(swift)).parent / "clang"
        if clang.exists():
            return str(clang)
    return None


def build_launcher(tmp):
    cc = c_compiler()
    if not cc:
        raise Broken("no C compiler (cc, gcc, clang, or the Swift toolchain's clang) for the launcher")
    exe = Path(tmp) / "launch"
    rc, out = run_quiet([cc, "-O2", "-Wall", "-o", str(exe), str(SOURCE)], 120, "compiling the launcher")
    if rc != 0:
        raise Broken(f"compiling the launcher with {cc} failed:\n{tail(out, 20)}")
    return exe


def spawn(argv, stdout, stderr, env=None):
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, close_fds=True, env=env)
    LIVE.add(p)
    return p


def kill(p):
    """SIGTERM (the launcher then kills and reaps its commands), SIGKILL if need be."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        if p.poll() is not None:
            break
        try:
            p.send_signal(sig)
        except OSError:
            pass
        try:
            p.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
    if p.poll() is None:
        warn(f"process {p.pid} did not die after SIGKILL")
    LIVE.discard(p)


def kill_live():
    for p in list(LIVE):
        if p.returncode is None:
            kill(p)


class Launched:
    """One command's outcome: its output, exit status and rusage, as the launcher saw it."""

    def __init__(self, fields, out, err):
        status, ut, st, rss, start, end = (int(x) for x in fields)
        self.killed = status == -1
        self.rc = None if self.killed else os.waitstatus_to_exitcode(status)
        self.user = ut / 1e6
        self.sys = st / 1e6
        self.cpu = (ut + st) / 1e6
        self.rss_kib = rss
        self.start = start / 1e9
        self.end = end / 1e9
        self.out = out
        self.err = err


class Tree:
    """What the launcher saw of a whole process tree (with sampling on)."""

    def __init__(self, fields):
        peak, samples, orphans, out, ost, orss = (int(x) for x in fields)
        self.peak_kib = peak          # largest sum of RSS over every process at one sample
        self.samples = samples
        self.orphans = orphans        # processes it adopted and reaped (daemons, leftovers)
        self.orphan_cpu = (out + ost) / 1e6
        self.orphan_rss_kib = orss


def launch(launcher, commands, workdir, tag, timeout, sample_ms=0, env=None, allow_killed=False):
    """Runs every command of `commands` [(name, argv) or (name, argv, stdin_path)] at once
    through the launcher and returns [Launched] in order, plus the machine's CPU seconds
    spent meanwhile; with sample_ms > 0, also the Tree (else None). A command still
    running at `timeout` is killed: that breaks the run, unless allow_killed (then its
    Launched says `killed`)."""
    workdir = Path(workdir)
    lines = []
    paths = []
    for command in commands:
        name, argv = command[0], command[1]
        stdin = command[2] if len(command) > 2 else None
        out, err = workdir / f"{tag}-{name}.out", workdir / f"{tag}-{name}.err"
        for a in argv + ([str(stdin)] if stdin else []):
            if "\t" in a or "\n" in a:
                raise Broken(f"an argument holds a TAB or newline: {a!r}")
        if argv[0].startswith("<"):
            raise Broken(f"a command may not start with '<': {argv[0]!r}")
        lines.append("\t".join([str(out), str(err), *([f"<{stdin}"] if stdin else []), *argv]))
        paths.append((out, err))
    cmdfile, results = workdir / f"{tag}.cmds", workdir / f"{tag}.results"
    cmdfile.write_text("\n".join(lines) + "\n")
    m0 = machine_cpu_seconds()
    extra = [str(sample_ms)] if sample_ms else []
    p = spawn([str(launcher), str(results), str(max(1, int(timeout))), str(cmdfile), *extra],
              subprocess.DEVNULL, subprocess.PIPE, env=env)
    try:
        _, err = p.communicate(timeout=timeout + 30)
    except subprocess.TimeoutExpired:
        kill(p)
        raise Broken(f"the launcher did not finish within {timeout + 30:.0f} s")
    LIVE.discard(p)
    m1 = machine_cpu_seconds()
    if p.returncode != 0:
        raise Broken(f"the launcher failed (exit {p.returncode}): {err.decode(errors='replace').strip()}")
    rows = results.read_text().splitlines()
    tree = None
    if sample_ms:
        if not rows or not rows[-1].startswith("tree "):
            raise Broken("the launcher wrote no process-tree line")
        tree = Tree(rows.pop().split()[1:])
    if len(rows) != len(commands):
        raise Broken(f"the launcher reported {len(rows)} results for {len(commands)} commands")
    done = []
    for row, (out, err) in zip(rows, paths):
        done.append(Launched(row.split(), out.read_bytes().decode(errors="replace"),
                             err.read_bytes().decode(errors="replace")))
    killed = sum(1 for d in done if d.killed)
    if killed and not allow_killed:
        raise Broken(f"{killed} of {len(done)} processes still ran at the {timeout:.0f} s time limit: killed")
    if sample_ms:
        return done, m1 - m0, tree
    return done, m1 - m0


def machine_cpu_seconds():
    with open("/proc/stat") as f:
        fields = f.readline().split()
    # user nice system idle iowait irq softirq steal: all but idle and iowait
    v = [int(x) for x in fields[1:9]]
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
    return busy / os.sysconf("SC_CLK_TCK")


def mb(kib):
    return kib * 1024 / 1e6
