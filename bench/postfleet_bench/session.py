"""The one frame every bench runs in: the checks before it, signals, a scratch folder,
the exit status its errors map to, and the one teardown (processes still running, the
lab the run brought up, the scratch folder), whatever happens."""

import os
import shutil
import signal
import tempfile

from .common import REPO, Broken, Interrupted, LabBusy, on_signal, warn
from .launcher import kill_live


class Session:
    """What a bench's body leaves for the teardown: its scratch folder `tmp` and the
    `lab` (a lab.Lab) it brought up or reused, if any."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.lab = None


def run_session(tmp_prefix, body, lab=True, scratch=None):
    """Runs body(session) and returns the bench's exit status: 0 it ran, 1 something
    broke, 2 not root, 3 another lab is up, 130 interrupted. A bench without the lab
    (lab=False) needs neither root nor ssh; its scratch folder goes under `scratch`
    (the system's temporary directory when None)."""
    if lab and os.geteuid() != 0:
        warn("needs root (the lab uses network namespaces)")
        return 2
    for tool in ("ssh", "ip") if lab else ():
        if not shutil.which(tool):
            warn(f"{tool} is not installed")
            return 1
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    os.chdir(REPO)
    made_scratch = scratch is not None and not os.path.exists(scratch)
    if made_scratch:
        os.makedirs(scratch)
    session = Session(tempfile.mkdtemp(prefix=tmp_prefix, dir=scratch))
    status = 0
    try:
        body(session)
    except LabBusy as e:
        warn(str(e))
        status = 3
    except Broken as e:
        warn(str(e))
        status = 1
    except (KeyboardInterrupt, Interrupted) as e:
        warn(f"interrupted ({str(e) or 'SIGINT'}): cleaning up")
        status = 130
    finally:
        # No second interrupt may skip the teardown.
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        kill_live()
        if session.lab is not None:
            try:
                session.lab.teardown()
            except Broken:
                status = status or 1
        shutil.rmtree(session.tmp, ignore_errors=True)
        if made_scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    return status
