"""bench/pyinfra/deploy.py: playbooks/border-cluster.yml as a pyinfra deploy.

    pyinfra -y --no-wait --parallel N bench/pyinfra/inventory.py bench/pyinfra/deploy.py

(with PFBENCH_INVENTORY_JSON naming the hosts, see inventory.py). It does to each host
what `postfleet run playbooks/border-cluster.yml` does (bench/README.md), the pyinfra way:
a fact reads the state, Python decides, and operations are queued only for what differs,
so a converged host runs no operation at all and pyinfra reports no change.

  1. one fact (BorderState, one command): postmulti -l, whether each instance runs, the
     master's start-time parameters, checksums of the managed files, the cdb files, the
     two postfix-out master.cf services;
  2. postmulti init / create / enable (output before input), each only if needed;
  3. every file rendered here with pyinfra's Jinja2 (the playbook's Mustache templates
     are valid Jinja2) from the host's inventory data, plus the block of parameters
     postmulti owns, as postfleet writes it; compared by SHA-256 with the live file;
  4. per instance with a difference: a stage directory beside the live one gets a copy
     of the live files, the new files are uploaded into it (files.put, SFTP), then one
     command applies the master.cf edits, builds changed cdb tables, checks the stage
     (postconf -n without a warning, postfix check, every *_maps table openable) and
     only then renames each file over the live one, keeping it as NAME.bak-ID;
  5. per instance in start order: restart / reload / nothing / start, as postfleet
     decides (a start-time parameter or an inet service changed: restart); before a
     start, Debian's configure-instance.sh, as postfix@.service and postfleet run it.
     On a host booted with systemd (the fact sees /run/systemd/system, as sd_booted(3)
     tests), pyinfra's systemd.service operation on postfix@NAME (postfix@- for the
     default) instead, its daemon_reload set on the first one after instances were
     created (the generator then makes their units); the unit's ExecStartPre runs
     configure-instance.sh itself.
pyinfra's own files.template writes the live file in place over SFTP, with neither a
backup nor a check before it goes live, which is why the files go through a stage.
"""

import hashlib
import os
import re
import shlex
import time
from io import StringIO

from pyinfra import host
from pyinfra.api import FactBase
from pyinfra.api.util import get_template
from pyinfra.operations import files, server, systemd

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.normpath(os.path.join(HERE, "..", "..", "playbooks", "templates"))

RESTART_PARAMS = ["inet_interfaces", "inet_protocols", "master_service_disable", "queue_directory",
                  "data_directory", "process_id_directory", "daemon_directory", "mail_owner", "setgid_group",
                  "default_process_limit"]
REINJECT_KEY = "127.0.0.1:10026/inet"
REINJECT = "127.0.0.1:10026 inet n - n - - smtpd"

CONFIGURE = "/usr/lib/postfix/configure-instance.sh"

# The playbook: instances in start order, with their files.
INSTANCES = [
    {"name": "default", "dir": "/etc/postfix", "selector": "-",
     "main_cf": "null-client/main.cf", "tables": [("generic", "null-client/generic"), ("virtual", "null-client/virtual")]},
    {"name": "postfix-out", "dir": "/etc/postfix-out", "selector": "postfix-out", "group": "mta",
     "main_cf": "postfix-out/main.cf", "tables": [], "services": True},
    {"name": "postfix-in", "dir": "/etc/postfix-in", "selector": "postfix-in", "group": "mta",
     "main_cf": "postfix-in/main.cf", "tables": []},
]
SECONDARY = [i for i in INSTANCES if i["name"] != "default"]


def owned_block(inst):
    """The parameters postmulti owns, as postfleet appends them to a whole main.cf."""
    if inst["name"] == "default":
        lines = ["multi_instance_wrapper = ${command_directory}/postmulti -p --", "multi_instance_enable = yes",
                 "multi_instance_directories = " + " ".join(i["dir"] for i in SECONDARY)]
    else:
        n = inst["name"]
        lines = [f"multi_instance_name = {n}", f"multi_instance_group = {inst['group']}", "multi_instance_enable = yes",
                 f"queue_directory = /var/spool/{n}", f"data_directory = /var/lib/{n}"]
    return "\n# Owned by postmulti(1); kept by postfleet\n" + "".join(line + "\n" for line in lines)


class BorderState(FactBase):
    """Everything the deploy compares, in one remote command."""

    def command(self):
        dirs = " ".join(i["dir"] for i in INSTANCES)
        managed = []
        for i in INSTANCES:
            managed.append(i["dir"] + "/main.cf")
            managed += [f"{i['dir']}/{t}" for t, _ in i["tables"]] + [f"{i['dir']}/{t}.cdb" for t, _ in i["tables"]]
        return "\n".join([
            "m() { echo \"@@ $*\"; }",
            "m listing; postmulti -l 2>&1",
            f"for d in {dirs}; do [ -f \"$d/main.cf\" ] || continue",
            "  m status \"$d\"; if postfix -c \"$d\" status >/dev/null 2>&1; then echo running; else echo stopped; fi",
            f"  m restart \"$d\"; postconf -c \"$d\" -n {' '.join(RESTART_PARAMS)} 2>/dev/null",
            "done",
            "m init; postconf -h multi_instance_enable multi_instance_wrapper 2>/dev/null",
            f"m sums; for f in {' '.join(managed)}; do [ -f \"$f\" ] && sha256sum \"$f\"; done",
            f"m services; [ -f /etc/postfix-out/master.cf ] && postconf -c /etc/postfix-out -M smtp/inet {REINJECT_KEY} 2>/dev/null",
            "m systemd; [ -d /run/systemd/system ] && echo yes",
            "m end",
        ])

    def process(self, output):
        sections, cur = {}, None
        for line in output:
            if line.startswith("@@ "):
                cur = line[3:].strip()
                sections[cur] = []
            elif cur is not None and line.strip():
                sections[cur].append(line.rstrip("\n"))
        if "end" not in sections:
            raise ValueError("the state command did not finish: " + " | ".join(output)[-300:])
        listing = {}
        for line in sections.get("listing", []):
            f = line.split()
            if len(f) == 4 and f[3].startswith("/"):
                listing[f[3]] = {"name": f[0], "group": f[1], "enabled": f[2] == "y"}
        running = {d[len("status "):]: v == ["running"] for d, v in sections.items() if d.startswith("status ")}
        restart = {d[len("restart "):]: sorted(norm(x) for x in v) for d, v in sections.items() if d.startswith("restart ")}
        init = sections.get("init", [])
        sums = {}
        for line in sections.get("sums", []):
            h, _, path = line.partition("  ")
            sums[path] = h
        services = {}
        for line in sections.get("services", []):
            f = line.split()
            if len(f) >= 2:
                services[f"{f[0]}/{f[1]}"] = " ".join(f)
        return {"listing": listing, "running": running, "restart": restart, "sums": sums, "services": services,
                "initialized": len(init) == 2 and init[0] == "yes" and init[1] != "",
                "systemd": sections.get("systemd") == ["yes"]}


def norm(line):
    return " ".join(line.split())


def render(path, data):
    return get_template(os.path.join(TEMPLATES, path)).render(**data)


def restart_settings(text):
    """`name = value` of the start-time parameters a main.cf sets, as postconf -n prints them."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([a-z_]+)\s*=\s*(.*?)\s*$", line)
        if m and m.group(1) in RESTART_PARAMS:
            out[m.group(1)] = norm(f"{m.group(1)} = {m.group(2)}")
    return sorted(out.values())


def q(s):
    return shlex.quote(s)


CHECK = r"""w=$(postconf -c "$s" -n 2>&1 >/dev/null); if [ -n "$w" ]; then echo "$w" >&2; rm -rf -- "$s"; exit 1; fi
postfix -c "$s" check || { rm -rf -- "$s"; exit 1; }
for t in $(postconf -c "$s" -x -n 2>/dev/null | awk -F' = ' '$1 ~ /_maps$/ { print $2 }' | tr ', ' '\n\n' | grep -E '^[a-z0-9]+:'); do
  case $t in proxy:* | static:* | inline:* | fail:* | randmap:* | pipemap:* | unionmap:*) continue ;; esac
  p=${t#*:}; case $p in "$d"/*) n=${p#"$d"/}; [ -e "$s/$n" ] && t="${t%%:*}:$s/$n" ;; esac
  e=$(postmap -c "$s" -q bench-probe "$t" 2>&1 >/dev/null); rc=$?
  if [ $rc -gt 1 ] || echo "$e" | grep -q fatal; then echo "$e" >&2; rm -rf -- "$s"; exit 1; fi
done"""


state = host.get_fact(BorderState)
data = {"inventory_hostname": host.name, "domain": host.data.domain, "admin": host.data.admin,
        "mailhub": host.data.mailhub, "border_address": host.data.border_address}
stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-pyinfra"

# --- 2. instances ---------------------------------------------------------------------------
lifecycle = []
missing = [i for i in SECONDARY if i["dir"] not in state["listing"]]
if missing and not state["initialized"]:
    lifecycle.append("postmulti -e init")
for i in SECONDARY:
    have = state["listing"].get(i["dir"])
    if have is None:
        lifecycle += [f"postmulti -I {i['name']} -G {i['group']} -e create", f"postmulti -i {i['name']} -e enable"]
    else:
        if have["group"] != i["group"]:
            lifecycle.append(f"postmulti -i {i['name']} -G {i['group']} -e assign")
        if not have["enabled"]:
            lifecycle.append(f"postmulti -i {i['name']} -e enable")
if lifecycle:
    server.shell(name="postmulti life cycle", commands=lifecycle)
# systemd: new instances have no postfix@NAME unit until a daemon-reload.
units_stale = state["systemd"] and any(" -e create" in c for c in lifecycle)

# --- 3.-5. files, stage, check, commit, make live -----------------------------------------------
for i in INSTANCES:
    d = i["dir"]
    s = f"{d}/.bench-stage-{stamp}"
    new = {"main.cf": render(i["main_cf"], data) + owned_block(i)}
    for t, src in i["tables"]:
        new[t] = render(src, data)
    writes = [n for n, text in new.items()
              if state["sums"].get(f"{d}/{n}") != hashlib.sha256(text.encode()).hexdigest()]
    postmaps = [t for t, _ in i["tables"] if t in writes or f"{d}/{t}.cdb" not in state["sums"]]
    edits = []
    if i.get("services"):
        # An instance created by this run has a stock master.cf, not known when the fact
        # was read: both edits apply to it (removing an absent service changes nothing).
        created = d not in state["listing"]
        if created or "smtp/inet" in state["services"]:
            edits.append("postconf -c \"$s\" -MX smtp/inet")
        if created or state["services"].get(REINJECT_KEY) != REINJECT:
            edits.append(f"postconf -c \"$s\" -M {q(REINJECT_KEY + ' = ' + REINJECT)}")

    action = None
    if writes or postmaps or edits:
        server.shell(
            name=f"{i['name']}: stage",
            commands=[f"s={q(s)}; rm -rf -- \"$s\" && mkdir -m 700 -- \"$s\" && "
                      f"for f in {q(d)}/*; do [ -f \"$f\" ] || continue; case ${{f##*/}} in *.bak-*) continue;; esac; "
                      f"cp -p -- \"$f\" \"$s/\" || exit 1; done"],
        )
        for n in writes:
            files.put(name=f"{i['name']}: upload {n}", src=StringIO(new[n]), dest=f"{s}/{n}",
                      create_remote_dir=False, force=True)
        names = list(writes)
        if edits and "master.cf" not in names:
            names.append("master.cf")
        names += [f"{t}.cdb" for t in postmaps]
        lines = [f"s={q(s)}; d={q(d)}; ID={q(stamp)}",
                 "touch -d \"@$(( $(date +%s) - 60 ))\" -- " + " ".join(f"\"$s\"/{q(n)}" for n in writes) if writes else ":"]
        lines += [e + " || exit 1" for e in edits]
        if edits:
            lines.append("touch -d \"@$(( $(date +%s) - 60 ))\" -- \"$s/master.cf\"")
        lines += [f"postmap cdb:\"$s\"/{q(t)} || exit 1" for t in postmaps]
        lines.append(CHECK)
        for n in names:
            lines.append(f"if [ -e \"$d\"/{q(n)} ]; then ln -f -- \"$d\"/{q(n)} \"$d\"/{q(n)}.bak-\"$ID\" || exit 1; fi; "
                         f"mv -f -- \"$s\"/{q(n)} \"$d\"/{q(n)} || exit 1")
        lines.append("rm -rf -- \"$s\"")
        server.shell(name=f"{i['name']}: check and install {' '.join(names)}", commands=["\n".join(lines)])
        if "main.cf" in writes:
            old = state["restart"].get(d, [])
            action = "restart" if old != restart_settings(new["main.cf"]) else "reload"
        if edits:
            action = "restart"  # both edits change an inet service: a listener
    sel = i["selector"]
    if state["systemd"]:
        # The unit does it all (Debian's postfix@.service runs configure-instance.sh first).
        if action or not state["running"].get(d, False):
            systemd.service(name=f"{i['name']}: {action or 'start'} postfix@{sel}", service=f"postfix@{sel}",
                            running=True, restarted=action == "restart", reloaded=action == "reload",
                            daemon_reload=units_stale)
            units_stale = False
        continue
    # Before a start, Debian's configure-instance.sh, as postfix@.service (and postfleet)
    # runs it: it copies /etc/hosts, resolv.conf and the like into the instance's chroot.
    start = f"{{ [ ! -x {CONFIGURE} ] || {CONFIGURE} {sel}; }} && postmulti -i {sel} -p start"
    if not state["running"].get(d, False):
        server.shell(name=f"{i['name']}: start", commands=[start])
    elif action == "restart":
        server.shell(name=f"{i['name']}: restart",
                     commands=[f"postmulti -i {sel} -p stop && {start}"])
    elif action == "reload":
        server.shell(name=f"{i['name']}: reload", commands=[f"postmulti -i {sel} -p reload"])
