"""The bench's printed results: the tables of the exec bench and of the rollout bench,
whether the targets hold, their Markdown form, and what the machine is."""

import os
import platform
import statistics
import subprocess
from pathlib import Path

from .common import BUILT_BY_THIS_RUN, REPO, note
from .tools import LABELS, SAMPLE_MS, SHORT

RSS_TARGET_MB = 60.0
WALL_TARGET_N = 100


def fmt_stat(values, digits):
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def ratio(a, b):
    return a / b if b else float("inf")


def report(results, sizes, repeat, markdown):
    rows = []  # for Markdown
    note()
    note(f"RESULTS: median of {repeat} run{'s' if repeat != 1 else ''} (min-max); MB = 10^6 bytes")
    for n in sizes:
        pf, os_ = results[n]["postfleet"], results[n]["openssh"]
        med = {t: {k: statistics.median([r[k] for r in runs]) for k in runs[0]} for t, runs in
               (("postfleet", pf), ("openssh", os_))}
        note()
        note(f"N = {n} hosts")
        hdr = f"  {'':<24} {'wall s':<22} {'CPU s (user+sys)':<22} {'peak RSS MB':<22} {'machine CPU s':<14}"
        note(hdr)
        for label, runs, key in (("postfleet (1 process)", pf, "postfleet"),
                                 (f"OpenSSH ({n} x ssh)", os_, "openssh")):
            note(f"  {label:<24} {fmt_stat([r['wall'] for r in runs], 3):<22} "
                 f"{fmt_stat([r['cpu'] for r in runs], 3):<22} {fmt_stat([r['rss'] for r in runs], 1):<22} "
                 f"{fmt_stat([r['machine'] for r in runs], 2):<14}")
        rw = ratio(med["postfleet"]["wall"], med["openssh"]["wall"])
        rc = ratio(med["postfleet"]["cpu"], med["openssh"]["cpu"])
        rr = ratio(med["postfleet"]["rss"], med["openssh"]["rss"])
        rm = ratio(med["postfleet"]["machine"], med["openssh"]["machine"])
        note(f"  {'ratio postfleet/OpenSSH':<24} {rw:<22.2f} {rc:<22.3f} {rr:<22.3f} {rm:<14.2f}")
        note(f"  postfleet: recap time {med['postfleet']['internal']:.3f} s, so process start + inventory + exit "
             f"{med['postfleet']['wall'] - med['postfleet']['internal']:.3f} s")
        note(f"  OpenSSH: spawning all {n} took {med['openssh']['spawn']:.3f} s; one ssh lasted "
             f"{med['openssh']['per_host_median']:.3f} s (median) to {med['openssh']['per_host_max']:.3f} s (max); "
             f"largest single ssh RSS {med['openssh']['rss_max1']:.1f} MB")
        diag = results[n].get("diag")
        if diag:
            note(f"  postfleet per host (one extra --json run): {diag}")
        rows.append((n, pf, os_, rw, rc, rr))

    note()
    note("TARGETS")
    target_n = WALL_TARGET_N if WALL_TARGET_N in sizes else max(sizes)
    for n, pf, os_, rw, rc, rr in rows:
        if n == target_n:
            extra = "" if n == WALL_TARGET_N else f" (the target is stated for N={WALL_TARGET_N}; not measured)"
            note(f"N={n}: wall ratio {rw:.2f} (target <= 1.0): {'PASS' if rw <= 1.0 else 'FAIL'}{extra}")
    peak = max(r["rss"] for n in sizes for r in results[n]["postfleet"])
    note(f"postfleet peak RSS {peak:.1f} MB (target < {RSS_TARGET_MB:.0f} MB): "
         f"{'PASS' if peak < RSS_TARGET_MB else 'FAIL'}  (largest of all measured runs)")

    if markdown:
        note()
        note("MARKDOWN")
        note()
        note("| N | tool | wall s | controller CPU s | controller peak RSS MB |")
        note("|--:|:-----|-------:|-----------------:|-----------------------:|")
        for n, pf, os_, rw, rc, rr in rows:
            for label, runs in (("postfleet (1 process)", pf), (f"OpenSSH ({n} × ssh)", os_)):
                note(f"| {n} | {label} | {fmt_stat([r['wall'] for r in runs], 3).replace('-', '–')} | "
                     f"{fmt_stat([r['cpu'] for r in runs], 3).replace('-', '–')} | "
                     f"{fmt_stat([r['rss'] for r in runs], 1).replace('-', '–')} |")
            note(f"| {n} | **ratio** postfleet/OpenSSH | **{rw:.2f}** | **{rc:.3f}** | **{rr:.3f}** |")
        note()
        note(f"Median of {repeat} runs (min–max). RSS of OpenSSH is the sum over its {'/'.join(str(n) for n in sizes)} "
             f"concurrent ssh processes. MB = 10^6 bytes.")


def machine_facts(bin):
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass

    def out(argv):
        try:
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=30)
            return r.stdout.decode(errors="replace").strip().splitlines()[0] if r.stdout.strip() else "?"
        except (OSError, subprocess.TimeoutExpired):
            return "?"

    linked = "?"
    try:
        r = subprocess.run(["ldd", str(bin)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30)
        for line in r.stdout.decode().splitlines():
            if "libssh2" in line or "libssl" in line:
                linked = (linked + ", " if linked != "?" else "") + line.split("=>")[-1].split("(")[0].strip()
    except (OSError, subprocess.TimeoutExpired):
        pass
    note("MACHINE")
    note(f"  cpu:      {os.cpu_count()} x {model} (nproc {out(['nproc'])}); {mem}")
    note(f"  kernel:   {platform.system()} {platform.release()}")
    note(f"  OpenSSH:  {out(['ssh', '-V'])}")
    note(f"  libssh2:  {out(['pkg-config', '--modversion', 'libssh2'])} (pkg-config); postfleet links {linked}")
    note(f"  swift:    {out(['swift', '--version'])}")
    try:
        shown = str(bin.relative_to(REPO))
    except ValueError:
        shown = str(bin)
    how = "release, built by this bench" if bin in BUILT_BY_THIS_RUN else "an existing build, not rebuilt"
    note(f"  postfleet: {shown} ({how}): {out([str(bin), '--version'])}")


def rollout_report(results, tools, n, repeat, markdown, note_hosts):
    note()
    note(f"RESULTS: {n} hosts ({note_hosts}); median of {repeat} round{'s' if repeat != 1 else ''} (min-max); "
         f"MB = 10^6 bytes")
    med = {}
    for phase in ("first", "again"):
        for t in tools:
            runs = results[t][phase]
            med[(t, phase)] = {k: statistics.median([r[k] for r in runs]) for k in ("wall", "cpu", "rss", "machine")}
    rows = []
    for phase, title in (("first", "first run (bare hosts)"), ("again", "no-change run")):
        note()
        note(title)
        note(f"  {'':<40} {'wall s':<24} {'CPU s':<24} {'peak RSS MB':<24} {'machine CPU s':<16} report")
        for t in tools:
            runs = results[t][phase]
            note(f"  {LABELS[t]:<40} {fmt_stat([r['wall'] for r in runs], 3):<24} "
                 f"{fmt_stat([r['cpu'] for r in runs], 3):<24} {fmt_stat([r['rss'] for r in runs], 1):<24} "
                 f"{fmt_stat([r['machine'] for r in runs], 2):<16} {runs[-1].get('report', '')}")
        if "postfleet" in tools:
            p = med[("postfleet", phase)]
            for t in tools:
                if t == "postfleet":
                    continue
                o = med[(t, phase)]
                ratios = (ratio(p["wall"], o["wall"]), ratio(p["cpu"], o["cpu"]), ratio(p["rss"], o["rss"]),
                          ratio(p["machine"], o["machine"]))
                note(f"  {'ratio postfleet/' + SHORT[t]:<40} {ratios[0]:<24.2f} {ratios[1]:<24.3f} {ratios[2]:<24.3f} "
                     f"{ratios[3]:<16.2f}")
                rows.append((phase, t, ratios))
        for t in tools:
            runs = results[t][phase]
            extra = [f"largest process {statistics.median([r['rss_max1'] for r in runs]):.1f} MB"]
            if any(r.get("orphans") for r in runs):
                extra.append(f"{statistics.median([r['orphans'] for r in runs]):.0f} adopted processes "
                             f"(e.g. ssh ControlPersist masters) counted")
            if t == "postfleet" and runs[-1].get("internal") is not None:
                extra.append(f"its own recap {statistics.median([r['internal'] for r in runs if r.get('internal') is not None]):.3f} s")
            note(f"    {SHORT[t]}: " + "; ".join(extra))

    note()
    note("TARGETS (wall time)")
    checks = [("first", "openssh", 1.0), ("first", "pyinfra", 1.0), ("again", "pyinfra", 0.4), ("again", "openssh", 0.4)]
    for phase, other, limit in checks:
        label = f"{'first run' if phase == 'first' else 'no-change run'}: postfleet <= {limit} x {SHORT[other]}"
        if "postfleet" not in tools or other not in tools:
            note(f"  {label}: not measured")
            continue
        r = ratio(med[("postfleet", phase)]["wall"], med[(other, phase)]["wall"])
        note(f"  {label}: {r:.2f} {'PASS' if r <= limit else 'FAIL'}")

    if markdown:
        note()
        note("MARKDOWN")
        note()
        note("| run | tool | wall s | controller CPU s | controller peak RSS MB |")
        note("|:----|:-----|-------:|-----------------:|-----------------------:|")
        for phase, title in (("first", "first"), ("again", "no change")):
            for t in tools:
                runs = results[t][phase]
                note(f"| {title} | {LABELS[t]} | {fmt_stat([r['wall'] for r in runs], 3).replace('-', '–')} | "
                     f"{fmt_stat([r['cpu'] for r in runs], 3).replace('-', '–')} | "
                     f"{fmt_stat([r['rss'] for r in runs], 1).replace('-', '–')} |")
            for ph, t, (rw, rc, rr, _) in rows:
                if ph == phase:
                    note(f"| {title} | **ratio** postfleet/{SHORT[t]} | **{rw:.2f}** | **{rc:.3f}** | **{rr:.3f}** |")
        note()
        note(f"{n} hosts, median of {repeat} rounds (min–max). CPU and RSS count every process of the tool "
             f"(workers, ssh processes, ControlPersist masters); RSS is the largest sum over them at one "
             f"moment, sampled every {SAMPLE_MS} ms. MB = 10^6 bytes.")
