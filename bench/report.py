#!/usr/bin/env python3
"""Helpers of bench/run: read the tools' outputs, keep the results, and
write the table.

    report.py wrk FILE                  -> the WRK_JSON line of a wrk run, as JSON
    report.py oha FILE                  -> {rps, p50_ms, p99_ms, ok, other, errors}
    report.py time FILE                 -> {seconds, max_rss_kb, exit} from /usr/bin/time -v
    report.py add RESULTS WHAT ATTESTA LIMIT RATIO TARGET_OP TARGET [NOTE]
    report.py table RESULTS MODE OUT.md COMMANDS.txt [KEEP_FROM.md]

A result's RATIO is a number (or "" when there is none) compared with
TARGET by TARGET_OP (">=" or "<="); MODE "full" judges it, "quick" never.
"""

import json
import os
import platform
import re
import subprocess
import sys


def fail(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(1)


def wrk(path: str) -> None:
    text = open(path).read()
    m = re.search(r"^WRK_JSON (\{.*\})$", text, re.M)
    if not m:
        fail(f"wrk printed no summary (see {path}):\n{text[-2000:]}")
    d = json.loads(m.group(1))
    d["rps"] = d["requests"] / (d["duration_us"] / 1e6)
    print(json.dumps(d))


def oha(path: str) -> None:
    try:
        d = json.load(open(path))
    except (OSError, ValueError) as e:
        fail(f"oha's output {path} is not JSON: {e}")
    codes = {str(k): v for k, v in (d.get("statusCodeDistribution") or {}).items()}
    ok = codes.get("200", 0)
    other = sum(v for k, v in codes.items() if k != "200")
    errors = sum((d.get("errorDistribution") or {}).values())
    lp = d.get("latencyPercentiles") or {}
    summary = d.get("summary") or {}

    def ms(v):
        return None if v is None else v * 1000.0

    print(json.dumps({
        "rps": summary.get("requestsPerSec"),
        "p50_ms": ms(lp.get("p50")),
        "p99_ms": ms(lp.get("p99")),
        "ok": ok,
        "other": other,
        "errors": errors,
        "codes": codes,
        "error_kinds": d.get("errorDistribution") or {},
    }))


def gnu_time(path: str) -> None:
    text = open(path).read()
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    code = re.search(r"Exit status: (\d+)", text)
    if not (rss and wall and code):
        fail(f"no /usr/bin/time -v report in {path}:\n{text[-2000:]}")
    seconds = 0.0
    for part in wall.group(1).split(":"):
        seconds = seconds * 60 + float(part)
    print(json.dumps({"seconds": seconds, "max_rss_kb": int(rss.group(1)), "exit": int(code.group(1))}))


def add(results, what, attesta, limit, ratio, op, target, note=""):
    with open(results, "a") as f:
        f.write(json.dumps({
            "what": what, "attesta": attesta, "limit": limit,
            "ratio": float(ratio) if ratio not in ("", "-") else None,
            "op": op, "target": float(target) if target not in ("", "-") else None,
            "note": note,
        }) + "\n")


def sh(cmd: str) -> str:
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:  # noqa: BLE001 - a description, best effort
        return "?"


def machine() -> list:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    rev = sh("git rev-parse --short=12 HEAD")
    dirty = " (with uncommitted changes)" if sh("git status --porcelain --untracked-files=no") else ""
    return [
        ("nproc", sh("nproc")),
        ("CPU", cpu),
        ("RAM", mem),
        ("kernel", platform.release()),
        ("rustc", sh("rustc --version")),
        ("wrk", sh("wrk -v 2>&1 | head -n 1")),
        ("oha", sh("oha --version")),
        ("PostgreSQL", sh("psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SHOW server_version'") or "not reached"),
        ("load average at the end", sh("cut -d' ' -f1-3 /proc/loadavg")),
        ("git rev", rev + dirty),
    ]


def fmt_ratio(r):
    if r is None:
        return "—"
    return f"{r:.3g}"


def table(results, mode, out, commands, keep_from=None):
    rows = [json.loads(line) for line in open(results) if line.strip()]
    lines = ["| what | attesta | its limit | ratio | target | met? |", "|---|---|---|---|---|---|"]
    missed = 0
    for r in rows:
        target = "—" if r["target"] is None else f"{r['op']} {r['target']:g}"
        if r["target"] is None or r["ratio"] is None:
            met = "—"
        elif mode != "full":
            met = "not judged (quick)"
        else:
            ok = r["ratio"] >= r["target"] if r["op"] == ">=" else r["ratio"] <= r["target"]
            met = "yes" if ok else "**no**"
            missed += 0 if ok else 1
        what = r["what"] + (f" ({r['note']})" if r["note"] else "")
        lines.append(f"| {what} | {r['attesta']} | {r['limit']} | {fmt_ratio(r['ratio'])} | {target} | {met} |")
    print("\n".join(lines))
    rev = sh("git rev-parse --short=12 HEAD")
    doc = []
    if mode == "full":
        doc += [
            "# Benchmarks",
            "",
            f"The run of `bench/run` at git rev `{rev}` (issue #15). Each figure is a",
            "ratio against its limit measured in the same run on the same machine;",
            "the targets are judged here, in the full run only (never in unit tests).",
            "`bench/run --quick` (CI) runs the same scripts at small sizes on the",
            "debug build and judges nothing.",
        ]
    else:
        doc += ["# Benchmarks (quick run: small sizes, debug build, targets not judged)"]
    doc += ["", "## Results", ""] + lines + [""]
    if mode == "full":
        doc += [f"{missed} target(s) missed in this run." if missed else "Every target met in this run.", ""]
    doc += ["## Machine", ""] + [f"- {k}: {v}" for k, v in machine()] + [""]
    doc += ["## Commands", "", "Exactly what this run executed (sizes and durations included):", "", "```sh"]
    doc += [line.rstrip("\n") for line in open(commands)] + ["```", ""]
    kept = None
    if keep_from and os.path.exists(keep_from):
        text = open(keep_from).read()
        at = text.find("## What changed each figure")
        if at >= 0:
            kept = text[at:].rstrip("\n")
    doc += [kept or "\n".join([
        "## What changed each figure",
        "",
        "(Filled in by hand after each change that moves a figure: the change,",
        "the figure before and after, and the measured cause.)",
    ]), ""]
    with open(out, "w") as f:
        f.write("\n".join(doc))


def main() -> None:
    cmd, args = sys.argv[1], sys.argv[2:]
    {"wrk": wrk, "oha": oha, "time": gnu_time, "add": add, "table": table}[cmd](*args)


if __name__ == "__main__":
    main()
