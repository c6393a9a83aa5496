"""What `scripts/bench load` prints: the load table next to ansible-inventory, the render
table next to the file system's floor, whether the targets hold, and their Markdown form."""

import statistics
import subprocess

from .common import note
from .report import ratio

LOAD_TARGET_N = 100_000
LOAD_TARGET_S = 3.0
RENDER_TARGET_N = 10_000
RENDER_TARGET_S = 5.0


def fs_type(path):
    try:
        r = subprocess.run(["df", "-T", str(path)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30)
        return r.stdout.decode().splitlines()[-1].split()[1]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def load_rows(results):
    """(n, format, cells) for each measured inventory; cells are the table's texts."""
    rows = []
    for (n, fmt), row in sorted(results["load"].items(), key=lambda item: (item[0][0], item[0][1] != "yaml")):
        pf, load = row["list"], row["load"]
        cells = [f"{med(pf, 'cpu'):.3f}", f"{med(pf, 'wall'):.3f}", f"{med(pf, 'rss'):.0f}",
                 f"{med(load, 'cpu'):.3f}", f"{med(load, 'rss'):.0f}"]
        ansible = row.get("ansible")
        if ansible is None:
            cells += ["-", "-", "-", "-", "-"]
        elif ansible.get("timeout"):
            cells += ["timeout", "-", "-", "-", "-"]
        else:
            cells += [f"{ansible['cpu']:.2f}", f"{ansible['wall']:.2f}", f"{ansible['rss']:.0f}",
                      f"{ratio(med(pf, 'cpu'), ansible['cpu']):.3f}", f"{ratio(med(pf, 'rss'), ansible['rss']):.3f}"]
        rows.append((n, fmt.upper(), cells))
    return rows


def render_rows(results):
    rows = []
    for n, row in sorted(results["render"].items()):
        if row.get("skipped"):
            rows.append((n, ["skipped"] + ["-"] * 6, row["skipped"]))
        elif row.get("timeout"):
            rows.append((n, ["timeout"] + ["-"] * 6, None))
        else:
            floor = row.get("floor")
            rows.append((n, [f"{row['user']:.2f}", f"{row['sys']:.2f}", f"{row['cpu']:.2f}", f"{row['wall']:.2f}",
                             f"{row['rss']:.0f}", f"{floor['sys']:.2f}" if floor else "timeout",
                             f"{floor['user']:.2f}" if floor else "-"], None))
    return rows


LOAD_HEADER = ["hosts", "format", "postfleet --list CPU s", "wall s", "RSS MB", "postfleet load only CPU s", "RSS MB",
               "ansible-inventory --list CPU s", "wall s", "RSS MB", "ratio CPU postfleet/Ansible", "ratio RSS"]
RENDER_HEADER = ["hosts", "user s", "sys s", "CPU s", "wall s", "RSS MB", "floor: sys s", "floor: user s"]


def table(header, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    for line in [header] + rows:
        note("  " + "  ".join(str(x).rjust(w) for x, w in zip(line, widths)))


def load_report(results, args):
    note()
    note(f"LOAD (postfleet: median of {args.repeat}; ansible-inventory: one run; CPU = user + sys; MB = 10^6 bytes)")
    loads = load_rows(results)
    table(LOAD_HEADER, [[n, fmt] + cells for n, fmt, cells in loads])
    renders = render_rows(results)
    if renders:
        note()
        note("RENDER border-cluster --all --out (one run; floor: the same directories and files made by a Python loop)")
        table(RENDER_HEADER, [[n] + cells for n, cells, _ in renders])
        for n, _, why in renders:
            if why:
                note(f"  {n}: {why}")
    note()
    note("CHECKS")
    for check in results["checks"]:
        note(f"  {check}")
    targets(results)
    if args.markdown:
        markdown(loads, renders)


def targets(results):
    note()
    note("TARGETS")
    for fmt in ("yaml", "ini"):
        row = results["load"].get((LOAD_TARGET_N, fmt))
        label = f"{LOAD_TARGET_N} hosts {fmt.upper()} loaded (inventory --list) in < {LOAD_TARGET_S:.0f} s CPU"
        if row is None:
            note(f"  {label}: not measured")
        else:
            cpu = med(row["list"], "cpu")
            note(f"  {label}: {cpu:.2f} s {'PASS' if cpu < LOAD_TARGET_S else 'FAIL'}")
    row = results["render"].get(RENDER_TARGET_N)
    label = f"border-cluster rendered for {RENDER_TARGET_N} hosts in < {RENDER_TARGET_S:.0f} s CPU"
    if row is None or "cpu" not in row:
        note(f"  {label}: not measured")
    else:
        verdict = "PASS" if row["cpu"] < RENDER_TARGET_S else "FAIL"
        note(f"  {label}: {row['cpu']:.2f} s (user {row['user']:.2f}, sys {row['sys']:.2f}) {verdict}")
        if row.get("floor"):
            note(f"    the file system alone (floor) costs {row['floor']['sys']:.2f} s of sys time here")


def markdown(loads, renders):
    note()
    note("MARKDOWN")
    note()
    note("| " + " | ".join(LOAD_HEADER) + " |")
    note("|" + "|".join("--:" for _ in LOAD_HEADER) + "|")
    for n, fmt, cells in loads:
        note(f"| {n:,} | {fmt} | " + " | ".join(cells) + " |")
    if renders:
        note()
        note("| " + " | ".join(RENDER_HEADER) + " |")
        note("|" + "|".join("--:" for _ in RENDER_HEADER) + "|")
        for n, cells, _ in renders:
            note(f"| {n:,} | " + " | ".join(cells) + " |")
