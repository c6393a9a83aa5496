"""What every part of the bench shares: the repository's paths, the errors that end a
run, messages, and running a helper command to completion."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
LAB = REPO / "scripts" / "lab"
SCRATCH = ".build-bench"
BIN = REPO / SCRATCH / "release" / "postfleet"
BUILD_TIMEOUT = 1800


class Broken(Exception):
    """Something went wrong that makes the numbers meaningless."""


class LabBusy(Exception):
    """Another lab is up on this machine."""


class Interrupted(BaseException):
    """SIGTERM or SIGHUP: the bench cleans up and exits 130."""


def note(msg=""):
    print(msg, flush=True)


def warn(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def tail(text, n):
    return "\n".join(text.rstrip().splitlines()[-n:])


def run_quiet(argv, timeout, what, env=None):
    """Runs a helper command to completion; returns (rc, stdout+stderr)."""
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise Broken(f"{what} took longer than {timeout} s: killed")
    except OSError as e:
        raise Broken(f"{what}: cannot run {argv[0]}: {e}")
    return r.returncode, r.stdout.decode(errors="replace")


def on_signal(signum, frame):
    raise Interrupted(signal.Signals(signum).name)


def build():
    """postfleet in release mode, in a scratch path of the bench's own."""
    note(f"$ swift build -c release --scratch-path {SCRATCH}")
    t0 = time.monotonic()
    rc, out = run_quiet(["swift", "build", "-c", "release", "--scratch-path", SCRATCH], BUILD_TIMEOUT, "swift build")
    if rc != 0:
        raise Broken(f"the release build failed (exit {rc}):\n" + tail(out, 30))
    if not BIN.exists():
        raise Broken(f"the build succeeded but {BIN} is missing")
    note(f"  built in {time.monotonic() - t0:.0f} s")


def postfleet_binary(args):
    """The postfleet to measure: --postfleet PATH, the existing build (--no-build), or a
    fresh release build."""
    if getattr(args, "postfleet", None):
        bin = Path(os.path.realpath(args.postfleet))
        if not os.access(bin, os.X_OK):
            raise Broken(f"--postfleet {bin}: not an executable")
        note(f"using postfleet {bin} (--postfleet)")
        return bin
    if args.no_build:
        if not BIN.exists():
            raise Broken(f"--no-build, but {BIN} does not exist")
        note(f"using the existing {BIN.relative_to(REPO)} (--no-build)")
    else:
        build()
    return BIN
