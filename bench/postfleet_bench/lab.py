"""The lab the bench runs on: `scripts/lab up` and `down` around a run, and what the lab
is, read from `scripts/lab env --json` (the lab's one machine-readable description)."""

import ipaddress
import json
import subprocess
import time
from pathlib import Path

from .common import LAB, Broken, LabBusy, note, run_quiet, tail, warn

DEFAULT_DIR = "/var/tmp/postfleet-bench"
LAB_NET = ipaddress.ip_network("198.18.0.0/24")
POINTER = Path("/run/postfleet-lab.dir")  # scripts/lab: the DIR of the lab that is up
MARKER = ".postfleet-lab"
LAB_UP_TIMEOUT = 900
LAB_DOWN_TIMEOUT = 300


def lab_on_machine():
    """What of any lab exists on this machine (bridge, namespaces, pointer)."""
    found = []
    if subprocess.run(["ip", "link", "show", "pflab0"], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode == 0:
        found.append("bridge pflab0")
    out = subprocess.run(["ip", "netns", "list"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
    ns = [line.split()[0] for line in out.splitlines() if line.startswith("pflab-")]
    if ns:
        found.append(f"{len(ns)} pflab-* namespaces")
    if POINTER.exists():
        found.append(f"{POINTER} -> {POINTER.read_text().strip()}")
    return found


def live_lab_dir():
    """The DIR of the lab that is up, as `scripts/lab up` recorded it, or ''."""
    return POINTER.read_text().strip() if POINTER.exists() else ""


class LabInfo:
    """A lab that is up, as `scripts/lab env --json --dir DIR` describes it (schema
    postfleet.lab/1): its files, the variables of its inventory's group all, and its
    border hosts [(name, address)] in order, every address checked to be in the lab's
    198.18.0.0/24; `init` and `state` map each host's name to its init ("systemd" or
    "postfix") and state ("running", ...), as `scripts/lab up` made it."""

    def __init__(self, dirpath):
        rc, out = run_quiet([str(LAB), "env", "--json", "--dir", str(dirpath)], 60, "scripts/lab env --json")
        if rc != 0:
            raise Broken(f"scripts/lab env --json --dir {dirpath} failed (exit {rc}):\n{tail(out, 5)}")
        try:
            doc = json.loads(out)
            self.dir = doc["dir"]
            self.key = doc["key"]
            self.known_hosts = doc["known_hosts"]
            self.mailbox = doc["mailbox"]
            self.vars = dict(doc["vars"])
            self.host_count = int(doc["host_count"])
            self.hosts = [(h["name"], h["address"]) for h in doc["hosts"]]
            # A lab from before systemd hosts has neither: its hosts are all postfix, running.
            self.init = {h["name"]: h.get("init", "postfix") for h in doc["hosts"]}
            self.state = {h["name"]: h.get("state", "running") for h in doc["hosts"]}
        except (ValueError, KeyError, TypeError) as e:
            raise Broken(f"scripts/lab env --json --dir {dirpath}: not the lab description the bench reads ({e})")
        if not self.hosts:
            raise Broken(f"the lab in {self.dir} has no border hosts")
        for name, addr in self.hosts:
            try:
                ok = ipaddress.ip_address(addr) in LAB_NET
            except ValueError:
                ok = False
            if not ok:
                raise Broken(f"the lab in {self.dir}: host {name} has address {addr}, outside {LAB_NET}: "
                             "refusing to send it traffic")


def write_inventory(path, variables, hosts, port=None):
    """An inventory of `hosts` [(name, address)] in group border, with `variables` in all."""
    out = ["all:", "  vars:", *[f"    {k}: {v}" for k, v in variables.items()],
           "  children:", "    border:", "      hosts:"]
    for name, addr in hosts:
        out += [f"        {name}:", f"          ansible_host: {addr}", f"          border_address: {addr}"]
        if port:
            out.append(f"          ansible_port: {port}")
    Path(path).write_text("\n".join(out) + "\n")


class Lab:
    """The lab of one bench run: brought up by up() (or reused, if one fit for the run is
    already up in DIR), taken down by teardown() only if this run brought it up."""

    def __init__(self, dirpath, need, keep, init="postfix"):
        self.dir = Path(dirpath)
        self.need = need
        self.keep = keep
        self.init = init       # the init every border host boots: `scripts/lab up --init`
        self.ours = False      # we ran `lab up`: ours to take down
        self.reused = False

    def up(self):
        existing = lab_on_machine()
        marker = self.dir / MARKER
        if existing or marker.exists():
            if marker.exists() and (self.dir / "env").exists():
                lab = LabInfo(self.dir)
                have = lab.host_count
                rc, out = run_quiet([str(LAB), "status", "--dir", str(self.dir)], 120, "scripts/lab status")
                other = [n for n, _ in lab.hosts[:self.need] if lab.init[n] != self.init]
                if have >= self.need and rc == 0 and not other:
                    note(f"reusing the lab already up in {self.dir} ({have} hosts); it is left up afterwards")
                    self.reused = True
                    return lab
                why = f"it has {have} hosts, {self.need} needed" if have < self.need else \
                    "`scripts/lab status` says part of it is down" if rc != 0 else \
                    f"{', '.join(other[:5])} boot{'s' if len(other) == 1 else ''} {lab.init[other[0]]}, not {self.init}"
                raise LabBusy(f"a lab is already up in {self.dir}, but {why}.\n"
                              f"  Take it down first (scripts/lab down --dir {self.dir}) if it is yours.")
            raise LabBusy("a lab is already up on this machine (" + "; ".join(existing or [f"{marker}"]) + ").\n"
                          "  The bench does not take down a lab it did not start. Take it down first\n"
                          "  (scripts/lab down), or run the bench with --dir pointing at it if it has\n"
                          f"  at least {self.need} hosts.")
        init = ["--init", self.init] if self.init != "postfix" else []
        note(f"$ scripts/lab up {self.need} --dir {self.dir}{' ' + ' '.join(init) if init else ''}")
        self.ours = True  # from here a partial lab may exist; teardown() checks it is ours
        t0 = time.monotonic()
        rc, out = run_quiet([str(LAB), "up", str(self.need), "--dir", str(self.dir), *init], LAB_UP_TIMEOUT,
                            "scripts/lab up")
        if rc != 0:
            raise Broken(f"scripts/lab up {self.need} failed (exit {rc}):\n" + tail(out, 40))
        last = [l for l in out.splitlines() if "lab up:" in l]
        note(f"  {last[-1].strip() if last else 'lab up'} (bench saw {time.monotonic() - t0:.1f} s)")
        return LabInfo(self.dir)

    def teardown(self):
        if not self.ours:
            return
        mine = (self.dir / MARKER).exists() or live_lab_dir() == str(self.dir)
        if not mine:
            # `lab up` refused (someone else's lab appeared meanwhile): nothing of ours to remove.
            return
        if self.keep:
            note(f"lab left up (--keep-lab): scripts/lab down --dir {self.dir}")
            return
        note(f"$ scripts/lab down --dir {self.dir}")
        try:
            rc, out = run_quiet([str(LAB), "down", "--dir", str(self.dir)], LAB_DOWN_TIMEOUT, "scripts/lab down")
        except Broken as e:
            warn(f"{e}; run scripts/lab down --dir {self.dir} by hand")
            raise
        if rc != 0:
            warn(f"scripts/lab down exited {rc}:\n{tail(out, 20)}")
            raise Broken("lab teardown failed")
