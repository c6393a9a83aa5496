"""The tools the rollout bench measures, and how it runs each one: postfleet, the OpenSSH
script (bench/openssh), pyinfra (bench/pyinfra) and Ansible (bench/ansible), the last two
from PyPI in virtualenvs of their own."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from .common import REPO, Broken, note, run_quiet, tail
from .launcher import launch, mb
from .ssh import ssh_argv

PYINFRA_VERSION = "3.10.0"
ANSIBLE_CORE_VERSION = "2.19.14"
VENV_ROOT = Path("/var/tmp/postfleet-bench-venv")
VENV_TIMEOUT = 900
PLAYBOOK = REPO / "playbooks" / "border-cluster.yml"
BENCH_DIR = REPO / "bench"
TOOLS = ("postfleet", "openssh", "pyinfra", "ansible")
SAMPLE_MS = 20
LABELS = {"postfleet": "postfleet (1 process)", "openssh": "OpenSSH (1 ssh per host + sh script)",
          "pyinfra": f"pyinfra {PYINFRA_VERSION}", "ansible": f"ansible-core {ANSIBLE_CORE_VERSION}"}
SHORT = {"postfleet": "postfleet", "openssh": "OpenSSH", "pyinfra": "pyinfra", "ansible": "Ansible"}
PF_SUMMARY = re.compile(r"^(\d+) hosts?: (\d+) ok, (\d+) changed, (\d+) failed, (\d+) unreachable in ([0-9.]+)s\s*$", re.M)
ANSIBLE_RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def venv_python():
    """Debian's python3 when there (the one scripts/setup gives python3-venv), else ours."""
    for p in ("/usr/bin/python3", shutil.which("python3"), sys.executable):
        if p and os.path.exists(p):
            return p
    raise Broken("no python3 for the virtualenvs")


def ensure_venv(package, version, executable):
    """A venv with package==version from PyPI under VENV_ROOT; reused while it holds that version."""
    venv = VENV_ROOT / f"{package}-{version}"
    exe = venv / "bin" / executable
    py = venv / "bin" / "python"

    def installed():
        if not exe.exists():
            return False
        r = subprocess.run([str(py), "-c", f"import importlib.metadata as m; print(m.version({package!r}))"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
        return r.returncode == 0 and r.stdout.decode().strip() == version

    if installed():
        note(f"  {package} {version}: {venv} (reused)")
        return venv
    note(f"  {package} {version}: installing from PyPI into {venv}")
    python = venv_python()
    rc, out = run_quiet([python, "-c", "import venv, ensurepip"], 60, "checking python3-venv")
    if rc != 0:
        raise Broken(f"{python} cannot make virtualenvs (on Debian: apt-get install python3-venv):\n{tail(out, 5)}")
    VENV_ROOT.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(venv, ignore_errors=True)
    rc, out = run_quiet([python, "-m", "venv", str(venv)], 300, f"python3 -m venv {venv}")
    if rc != 0:
        raise Broken(f"making the venv {venv} failed:\n{tail(out, 20)}")
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    rc, out = run_quiet([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
                         f"{package}=={version}"], VENV_TIMEOUT, f"pip install {package}=={version}", env=env)
    if rc != 0 or not installed():
        raise Broken(f"pip install {package}=={version} into {venv} failed:\n{tail(out, 20)}")
    return venv



def tool_env(extra=None):
    """The environment the tools run in: ours, without this machine's PYTHONDONTWRITEBYTECODE
    (a fresh Debian has none; Python should keep its bytecode caches)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra or {})
    return env



class RolloutTools:
    """The four tools' runs of the rollout bench (a mixin of Rollout, which gives it the
    hosts, inventories, bundle, launcher and postfleet binary): each measured run checks
    the tool's own report of what it did, `phase` "first" or "again"."""

    def measure(self, tag, commands, env=None):
        wd = self.workdir()
        done, machine, tree = launch(self.launcher, commands, wd, tag, self.args.timeout, sample_ms=SAMPLE_MS,
                                     env=env)
        t0 = min(r.start for r in done)
        largest = max(mb(r.rss_kib) for r in done)
        res = {"wall": max(r.end for r in done) - t0,
               "cpu": sum(r.cpu for r in done) + tree.orphan_cpu,
               "rss": max(mb(tree.peak_kib), largest),
               "rss_max1": max(largest, mb(tree.orphan_rss_kib)),
               "machine": machine, "orphans": tree.orphans, "samples": tree.samples}
        return done, res, wd

    def run_postfleet(self, phase):
        js = self.tmp / f"postfleet-{self.seq + 1}.json"
        argv = [str(self.bin), "run", str(PLAYBOOK), "-i", str(self.inventory), "-f", str(self.n),
                "--known-hosts", self.kh, "--json", str(js)]
        [r], res, wd = self.measure("postfleet", [("postfleet", argv)], env=tool_env())
        problem, doc = None, None
        try:
            doc = json.loads(js.read_text())
            summary = doc["summary"]
            statuses = {h: v.get("status") for h, v in doc.get("hosts", {}).items()}
        except (OSError, ValueError, KeyError, AttributeError) as e:
            problem = f"no readable --json report ({e})"
        if problem is None:
            want = "changed" if phase == "first" else "ok"
            wrong = {h: s for h, s in statuses.items() if s != want}
            missing = [n for n, _ in self.hosts if n not in statuses]
            if r.rc != 0:
                problem = f"exit status {r.rc}"
            elif missing:
                problem = f"the JSON report lacks hosts {', '.join(missing[:5])}"
            elif summary.get("failed", 0) or summary.get("unreachable", 0):
                problem = f"summary {summary}"
            elif wrong:
                problem = f"hosts not '{want}': {dict(list(wrong.items())[:5])} (summary {summary})"
        if problem:
            raise Broken(f"postfleet, {phase} run on {self.n} hosts: {problem}\n$ {' '.join(argv)}\n"
                         f"{tail(r.out, 30)}\n{tail(r.err, 10)}")
        m = PF_SUMMARY.search(r.out)
        res["internal"] = float(m.group(6)) if m else None
        res["report"] = (f"{summary.get('ok', 0)} ok, {summary.get('changed', 0)} changed"
                         + (f", recap {m.group(6)} s" if m else ""))
        shutil.rmtree(wd, ignore_errors=True)
        return res

    def run_openssh(self, phase):
        commands = [(name, ssh_argv(self.key, self.kh, addr,
                                    "sh -s -- " + " ".join(shlex.quote(x) for x in
                                                           (name, self.vars["domain"], self.vars["admin"],
                                                            self.vars["mailhub"], addr))),
                     self.bundle) for name, addr in self.hosts]
        done, res, wd = self.measure("ssh", commands, env=tool_env())
        want = "RESULT changed" if phase == "first" else "RESULT ok"
        bad = []
        for (name, _, _), r in zip(commands, done):
            last = r.out.strip().splitlines()[-1] if r.out.strip() else ""
            if r.rc != 0 or not last.startswith(want):
                bad.append(f"{name}: exit {r.rc}: {last or r.err.strip()[-300:]}")
        if bad:
            raise Broken(f"OpenSSH, {phase} run: {len(bad)} of {self.n} hosts did not say '{want}':\n  "
                         + "\n  ".join(bad[:10]))
        changes = sum(int(r.out.strip().splitlines()[-1].split()[2]) for r in done) if phase == "first" else 0
        res["report"] = f"{changes} changes" if phase == "first" else "RESULT ok everywhere"
        shutil.rmtree(wd, ignore_errors=True)
        return res

    def run_pyinfra(self, phase):
        exe = self.venvs["pyinfra"] / "bin" / "pyinfra"
        argv = [str(exe), "-y", "--no-wait", "--parallel", str(self.n),
                str(BENCH_DIR / "pyinfra" / "inventory.py"), str(BENCH_DIR / "pyinfra" / "deploy.py")]
        env = tool_env({"PFBENCH_INVENTORY_JSON": str(self.inventory_json), "PYINFRA_PROGRESS": "off"})
        [r], res, wd = self.measure("pyinfra", [("pyinfra", argv)], env=env)
        text = r.out + "\n" + r.err
        m = re.search(r"^\s*Grand total\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", text, re.M)
        problem = None
        if r.rc != 0:
            problem = f"exit status {r.rc}"
        elif not m:
            problem = "no 'Grand total' line in its results"
        else:
            num = [0 if x == "-" else int(x) for x in m.groups()]
            success, errors = num[1], num[2]
            if errors:
                problem = f"{errors} operations failed"
            elif phase == "first" and success == 0:
                problem = "it changed nothing"
            elif phase != "first" and success != 0:
                problem = f"it ran {success} operations (changes) where nothing was to change"
        if problem:
            raise Broken(f"pyinfra, {phase} run: {problem}\n$ {' '.join(argv)}\n{tail(text, 40)}")
        res["report"] = (f"{num[1]} operations" if phase == "first" else "no operation")
        shutil.rmtree(wd, ignore_errors=True)
        return res

    def run_ansible(self, phase):
        exe = self.venvs["ansible"] / "bin" / "ansible-playbook"
        cp = self.tmp / f"cp{self.seq + 1}"
        cp.mkdir()
        argv = [str(exe), "-i", str(self.inventory), "-f", str(self.n), str(BENCH_DIR / "ansible" / "border-cluster.yml")]
        env = tool_env({"ANSIBLE_CONFIG": str(BENCH_DIR / "ansible" / "ansible.cfg"),
                        "ANSIBLE_SSH_COMMON_ARGS": f"-o UserKnownHostsFile={self.kh}",
                        "ANSIBLE_SSH_CONTROL_PATH_DIR": str(cp), "ANSIBLE_NOCOLOR": "1",
                        "ANSIBLE_FORCE_COLOR": "0"})
        [r], res, wd = self.measure("ansible", [("ansible", argv)], env=env)
        recap = {m.group(1): m for m in ANSIBLE_RECAP.finditer(r.out)}
        problem = None
        if r.rc != 0:
            problem = f"exit status {r.rc}"
        else:
            missing = [n for n, _ in self.hosts if n not in recap]
            if missing:
                problem = f"no PLAY RECAP line for {', '.join(missing[:5])}"
            else:
                bad = [n for n, m in recap.items() if int(m.group(4)) or int(m.group(5))]
                nochange = [n for n, m in recap.items() if int(m.group(3)) == 0]
                changed = [n for n, m in recap.items() if int(m.group(3)) != 0]
                if bad:
                    problem = f"unreachable or failed: {', '.join(bad[:5])}"
                elif phase == "first" and nochange:
                    problem = f"changed nothing on {', '.join(nochange[:5])}"
                elif phase != "first" and changed:
                    problem = f"reported changes on {', '.join(changed[:5])}"
        if problem:
            raise Broken(f"ansible-playbook, {phase} run: {problem}\n$ {' '.join(argv)}\n{tail(r.out, 40)}\n{tail(r.err, 10)}")
        total = sum(int(m.group(3)) for m in recap.values())
        res["report"] = f"changed={total} in all" if phase == "first" else "changed=0 everywhere"
        shutil.rmtree(wd, ignore_errors=True)
        shutil.rmtree(cp, ignore_errors=True)
        return res

    def run(self, tool, phase):
        return {"postfleet": self.run_postfleet, "openssh": self.run_openssh, "pyinfra": self.run_pyinfra,
                "ansible": self.run_ansible}[tool](phase)

    def pyinfra_kex(self):
        name, addr = self.hosts[0]
        py = self.venvs["pyinfra"] / "bin" / "python"
        # The same disabled_algorithms as bench/pyinfra/inventory.py; paramiko logs the
        # algorithm the two sides agreed on ("Kex: NAME").
        code = ("import logging, paramiko\n"
                "logging.basicConfig(level=logging.DEBUG, format='%%(message)s')\n"
                "K = 'curve25519-sha256@libssh.org'\n"
                "t = paramiko.Transport((%r, 22), disabled_algorithms={'kex': [k for k in paramiko.Transport._preferred_kex if k != K]})\n"
                "t.start_client(timeout=10)\n"
                "t.close()\n") % addr
        try:
            r = subprocess.run([str(py), "-c", code], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=30)
        except subprocess.TimeoutExpired:
            return "not verified (paramiko timed out)"
        out = r.stdout.decode(errors="replace")
        m = re.search(r"^Kex: (\S+)", out, re.M)
        if r.returncode == 0 and m:
            return f"{m.group(1)} (paramiko's name for curve25519-sha256; negotiated with {name})"
        return f"not verified (paramiko: {tail(out, 1)})"
