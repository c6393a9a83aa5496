"""The OpenSSH command lines of the bench: every ssh it starts, measured or not, and the
ssh_config that `ssh -J` needs for a jump host."""

from pathlib import Path

KEX = "curve25519-sha256"


def ssh_argv(key, kh, addr, command, verbose=False, jump=None, config="/dev/null", connect_timeout=10):
    argv = ["ssh", "-F", config, "-i", key,
            "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
            "-o", "BatchMode=yes",
            "-o", f"UserKnownHostsFile={kh}", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes", "-o", "UpdateHostKeys=no",
            "-o", f"KexAlgorithms={KEX}",
            "-o", "ControlMaster=no", "-o", "ControlPath=none",
            "-o", f"ConnectTimeout={connect_timeout}"]
    argv += ["-v"] if verbose else ["-o", "LogLevel=ERROR"]
    if jump:
        argv += ["-J", f"root@{jump}"]
    return argv + [f"root@{addr}", command]


def jump_ssh_config(path, key, kh, jump):
    """What `ssh -J` needs for the jump host itself: -J passes it -F but no -o option."""
    Path(path).write_text(f"""Host {jump}
  IdentityFile {key}
  IdentitiesOnly yes
  IdentityAgent none
  BatchMode yes
  UserKnownHostsFile {kh}
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  UpdateHostKeys no
  KexAlgorithms {KEX}
  ControlMaster no
  ControlPath none
  ConnectTimeout 10
  LogLevel ERROR
""")
