"""scripts/bench [OPTIONS] (the exec bench) and scripts/bench rollout [OPTIONS]: parse
the command line, then run the bench in a session (session.run_session)."""

import sys

from . import exec_bench, rollout
from .session import run_session


def main(argv):
    if argv[:1] == ["rollout"]:
        args = rollout.parse_rollout_args(argv[1:])
        # A short scratch path: Ansible's ssh control sockets live under it.
        return run_session("pfbench.", lambda session: rollout.run(args, session))
    args = exec_bench.parse_args(argv)
    return run_session("postfleet-bench.", lambda session: exec_bench.run(args, session))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
