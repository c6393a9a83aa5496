"""scripts/bench [OPTIONS] (the exec bench), scripts/bench rollout [OPTIONS],
scripts/bench queue [OPTIONS], scripts/bench load [OPTIONS] and scripts/bench scale [OPTIONS]: parse the command line, then run the bench in a session
(session.run_session)."""

import sys

from . import exec_bench, load, queue_bench, rollout, scale
from .session import run_session


def main(argv):
    if argv[:1] == ["rollout"]:
        args = rollout.parse_rollout_args(argv[1:])
        # A short scratch path: Ansible's ssh control sockets live under it.
        return run_session("pfbench.", lambda session: rollout.run(args, session))
    if argv[:1] == ["queue"]:
        args = queue_bench.parse_queue_args(argv[1:])
        return run_session("pfqueue.", lambda session: queue_bench.run(args, session))
    if argv[:1] == ["scale"]:
        args = scale.parse_scale_args(argv[1:])
        return run_session("pfscale.", lambda session: scale.run(args, session))
    if argv[:1] == ["load"]:
        args = load.parse_load_args(argv[1:])
        # No lab: no root; inventories and render output under the repository (or
        # $POSTFLEET_BENCH_DIR), not /tmp.
        return run_session("load.", lambda session: load.run(args, session), lab=False, scratch=load.scratch_root())
    args = exec_bench.parse_args(argv)
    return run_session("postfleet-bench.", lambda session: exec_bench.run(args, session))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
