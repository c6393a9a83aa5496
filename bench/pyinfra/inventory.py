"""bench/pyinfra/inventory.py: the benchmark's hosts as a pyinfra inventory.

pyinfra inventories are Python. This one is generated from the same hosts and variables
as the Ansible YAML inventory postfleet and ansible-playbook read: scripts/bench writes
them to a JSON file and names it in PFBENCH_INVENTORY_JSON:

  {"vars": {"domain": ..., "admin": ..., "mailhub": ...},
   "hosts": [["mta11", "198.18.0.11"], ...],
   "key": "/path/id_ed25519", "known_hosts": "/path/known_hosts"}

SSH settings (pyinfra uses paramiko): the lab key only (no agent, no ~/.ssh keys, no
~/.ssh/config), strict host key checking against the lab's known_hosts, and the key
exchange curve25519-sha256 only: paramiko knows it under its original name
curve25519-sha256@libssh.org (the same algorithm, RFC 8731), so every other one is
disabled.
"""

import json
import os

import paramiko

# Every module-level list or tuple here is a group of hosts to pyinfra, unless its name
# starts with an underscore.
with open(os.environ["PFBENCH_INVENTORY_JSON"]) as _f:
    _spec = json.load(_f)

_KEX = "curve25519-sha256@libssh.org"
_other_kex = [k for k in paramiko.Transport._preferred_kex if k != _KEX]

border = (
    [(name, {"ssh_hostname": addr, "border_address": addr}) for name, addr in _spec["hosts"]],
    {
        **_spec["vars"],
        "ssh_user": "root",
        "ssh_key": _spec["key"],
        "ssh_known_hosts_file": _spec["known_hosts"],
        "ssh_strict_host_key_checking": "yes",
        "ssh_config_file": "/dev/null",
        "ssh_allow_agent": False,
        "ssh_look_for_keys": False,
        "ssh_paramiko_connect_kwargs": {"disabled_algorithms": {"kex": _other_kex}},
    },
)
