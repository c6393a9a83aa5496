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
STATIC_SCRATCH = ".build-bench-static"
STATIC_BIN = REPO / STATIC_SCRATCH / "release" / "postfleet"
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


def parse_or_help(ap, argv, doc):
    """`ap.parse_args(argv)`, or the bench's whole usage `doc` and exit 0 when asked for help."""
    if any(a in ("-h", "--help", "help") for a in argv):
        print(doc.strip())
        sys.exit(0)
    return ap.parse_args(argv)


def on_signal(signum, frame):
    raise Interrupted(signal.Signals(signum).name)


# The binaries this run of the bench built (machine_facts says whether it measured one of
# them, or an existing build: --no-build, --postfleet).
BUILT_BY_THIS_RUN = set()


def build(static=False):
    """postfleet in release mode, in a scratch path of the bench's own; with `static`, linked
    as scripts/package links what ships (the Swift runtime and Foundation inside the binary)."""
    scratch, bin = (STATIC_SCRATCH, STATIC_BIN) if static else (SCRATCH, BIN)
    argv = ["swift", "build", "-c", "release", *(["--static-swift-stdlib"] if static else []), "--scratch-path", scratch]
    note(f"$ {' '.join(argv)}")
    t0 = time.monotonic()
    rc, out = run_quiet(argv, BUILD_TIMEOUT, "swift build")
    if rc != 0:
        raise Broken(f"the release build failed (exit {rc}):\n" + tail(out, 30))
    if not bin.exists():
        raise Broken(f"the build succeeded but {bin} is missing")
    note(f"  built in {time.monotonic() - t0:.0f} s")
    BUILT_BY_THIS_RUN.add(bin)
    return bin


def postfleet_binary(args, static=False):
    """The postfleet to measure: --postfleet PATH, the existing build (--no-build), or a
    fresh release build (`static`: linked as the package is)."""
    if getattr(args, "postfleet", None):
        bin = Path(os.path.realpath(args.postfleet))
        if not os.access(bin, os.X_OK):
            raise Broken(f"--postfleet {bin}: not an executable")
        note(f"using postfleet {bin} (--postfleet)")
        return bin
    bin = STATIC_BIN if static else BIN
    if args.no_build:
        if not bin.exists():
            raise Broken(f"--no-build, but {bin} does not exist")
        note(f"using the existing {bin.relative_to(REPO)} (--no-build)")
        return bin
    return build(static)
