"""What the exec bench and the rollout bench have in common: the lab's key and
known_hosts, a fresh folder per run, and the checks of which key exchange each side
actually negotiates."""

import re
import subprocess
import time
from pathlib import Path

from .common import LAB, run_quiet, tail
from .lab import write_inventory
from .launcher import LIVE, kill, spawn
from .ssh import ssh_argv


class LabBench:
    """A bench on the lab `lab` (a LabInfo); subclasses set self.hosts [(name, address)],
    the first of which the key exchange checks use."""

    def __init__(self, args, lab, tmp, launcher, bin):
        self.args = args
        self.tmp = Path(tmp)
        self.launcher = launcher
        self.bin = bin
        self.lab = lab
        self.key = lab.key
        self.kh = lab.known_hosts
        self.lab_dir = lab.dir
        self.vars = dict(lab.vars)
        self.seq = 0

    def workdir(self):
        """A fresh folder for one run's files (so a run never reads another's output)."""
        self.seq += 1
        d = self.tmp / f"run-{self.seq:04d}"
        d.mkdir()
        return d

    # -- key exchange checks ------------------------------------------------
    def openssh_kex(self):
        name, addr = self.hosts[0]
        try:
            r = subprocess.run(ssh_argv(self.key, self.kh, addr, "true", verbose=True), stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)
        except subprocess.TimeoutExpired:
            return "not verified (ssh -v timed out)"
        m = re.search(r"kex: algorithm: (\S+)", r.stderr.decode(errors="replace"))
        return f"{m.group(1)} (ssh -v to {name})" if m else "not verified (no 'kex: algorithm' in ssh -v)"

    def postfleet_kex(self):
        """A one-shot `sshd -d` on port 2222 of the first host logs the negotiated KEX."""
        name, addr = self.hosts[0]
        port = 2222
        line = next((l for l in Path(self.kh).read_text().splitlines() if l.split(" ", 1)[0] == addr), None)
        if not line:
            return f"not verified (no known_hosts line for {addr})"
        kh = self.tmp / "kex-known_hosts"
        kh.write_text(f"[{addr}]:{port} {line.split(' ', 1)[1]}\n")
        inv = self.tmp / "kex-inventory.yml"
        write_inventory(inv, self.vars, [(name, addr)], port=port)
        conf = "/tmp/postfleet-bench-sshd.conf"  # the lab host's own private /tmp
        # A host without systemd runs sshd from sshd_config.pflab; a systemd host's ssh.service
        # reads Debian's sshd_config, which includes the lab's drop-in (its ListenAddress): the
        # drop-ins first, as the Include puts them, without their ListenAddress.
        systemd = (f"{{ echo 'ListenAddress {addr}:{port}'; echo 'PidFile none'; "
                   "cat /etc/ssh/sshd_config.d/*.conf | sed '/^ListenAddress /d'; "
                   f"sed '/^Include /d' /etc/ssh/sshd_config; }} >{conf}")
        script = (f"if [ -f /etc/ssh/sshd_config.pflab ]; then "
                  f"sed -e 's/^ListenAddress .*/ListenAddress {addr}:{port}/' -e 's/^PidFile .*/PidFile none/' "
                  f"/etc/ssh/sshd_config.pflab >{conf}; else {systemd}; fi && exec /usr/sbin/sshd -d -e -f {conf}")
        logpath = self.tmp / "kex-sshd.log"
        with open(logpath, "wb") as log:
            sshd = spawn([str(LAB), "exec", "--dir", str(self.lab_dir), name, "--", "sh", "-c", script],
                         log, subprocess.STDOUT)
            try:
                deadline = time.monotonic() + 10
                while "Server listening on" not in logpath.read_text(errors="replace"):
                    if sshd.poll() is not None or time.monotonic() > deadline:
                        return "not verified (the debug sshd did not start: " + \
                            tail(logpath.read_text(errors="replace"), 2).replace("\n", " | ") + ")"
                    time.sleep(0.05)
                rc, out = run_quiet([str(self.bin), "exec", "-i", str(inv), "--known-hosts", str(kh), "--", "true"],
                                    30, "postfleet against the debug sshd")
                try:
                    sshd.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    pass
            finally:
                if sshd.returncode is None:
                    kill(sshd)
                LIVE.discard(sshd)
        m = re.search(r"kex: algorithm: (\S+)", logpath.read_text(errors="replace"))
        if rc != 0:
            return f"not verified (postfleet exit {rc} against the debug sshd: {tail(out, 1)})"
        return f"{m.group(1)} (sshd -d log on {name})" if m else "not verified (no 'kex: algorithm' in the sshd log)"
