#!/usr/bin/env python3
"""Runs cbridge's scheduler benchmarks and their Go 1.19 twins side by side,
with 1 and 2 Ps, and prints (and writes) a table of both and their ratio.

Usage: bench/compare.py BUILD_DIR OUT_MARKDOWN
"""
import json
import os
import subprocess
import sys
import tempfile

GO = "/usr/lib/go-1.19/bin/go"
HERE = os.path.dirname(os.path.abspath(__file__))

# cbridge benchmark name -> Go peer name, and what one op is.
PAIRS = [
    ("BM_TaskStartFinish", "TaskStartFinish", "start+finish of a task (ns)"),
    ("BM_ChanHandoff", "ChanHandoff", "unbuffered channel hand-off, one way (ns)"),
    ("BM_Yield", "Yield", "yield with nothing else to run (ns)"),
    ("BM_SpawnJoin100k", "SpawnJoin100k", "100,000 tasks spawn+join (ms)"),
]


def run_cbridge(build, procs, bench_filter, extra=()):
    """Runs sched_bench; returns each benchmark's median of 3 repetitions."""
    env = dict(os.environ, CBRIDGE_MAXPROCS=str(procs))
    out = subprocess.run(
        [os.path.join(build, "bench", "sched_bench"), "--benchmark_format=json",
         "--benchmark_filter=" + bench_filter, *extra],
        env=env, check=True, capture_output=True, text=True).stdout
    res = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = b["name"].split("/")[0]
        scale = {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
        res[name] = dict(b, ns=b["real_time"] * scale)
    return res


def run_go(procs, workdir, *args):
    exe = os.path.join(workdir, "gosched")
    if not os.path.exists(exe):
        env = dict(os.environ, GOCACHE=os.path.join(workdir, "gocache"), GOFLAGS="-mod=mod",
                   GO111MODULE="on")
        subprocess.run([GO, "build", "-o", exe, "./sched"], cwd=os.path.join(HERE, "peers", "go"),
                       env=env, check=True)
    out = subprocess.run([exe, *args], env=dict(os.environ, GOMAXPROCS=str(procs)), check=True,
                         capture_output=True, text=True).stdout
    return {line.split()[0]: float(line.split()[1]) for line in out.splitlines() if line.strip()}


def main():
    build, outpath = sys.argv[1], sys.argv[2]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for procs in (1, 2):
            cb = run_cbridge(build, procs, "-BM_ParkedTasksRSS",
                             ["--benchmark_min_time=0.5", "--benchmark_repetitions=3",
                              "--benchmark_report_aggregates_only=true"])
            # Memory in processes that ran nothing else, on both sides.
            cb.update(run_cbridge(build, procs, "BM_ParkedTasksRSS"))
            go = run_go(procs, work)
            go.update(run_go(procs, work, "rss"))
            for cname, gname, what in PAIRS:
                c = cb[cname]["ns"]
                g = go[gname]
                div = 1e6 if "(ms)" in what else 1
                rows.append((what, procs, c / div, g / div, c / g))
            # Google Benchmark reports an inverted rate counter in seconds.
            sw = cb["BM_TaskSwitch"]["ns_per_switch"] * 1e9
            fc = cb["BM_FcontextSwitch"]["ns_per_switch"] * 1e9
            rows.append(("task switch (yield between two tasks) vs bare fcontext switch, one way (ns)",
                         procs, sw, fc, sw / fc))
            mem = cb["BM_ParkedTasksRSS"]["MiB_per_100k_parked"]
            rows.append(("resident memory of 100,000 parked tasks (MiB)", procs, mem,
                         go["ParkedTasksRSS_MiB"], mem / go["ParkedTasksRSS_MiB"]))
    lines = ["| measurement | Ps | cbridge | peer | ratio |", "|---|---|---|---|---|"]
    for what, procs, c, g, r in rows:
        lines.append(f"| {what} | {procs} | {c:.1f} | {g:.1f} | {r:.2f} |")
    table = "\n".join(lines)
    print(table)
    with open(outpath, "w") as f:
        f.write("Peer: Go 1.19 (golang-1.19-go), except the task-switch row, whose peer is a bare\n"
                "Boost.Context fcontext switch. Ratio = cbridge / peer (lower is better).\n\n")
        f.write(table + "\n")


if __name__ == "__main__":
    main()
