#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs cbridge's benchmarks and their Go 1.19 twins side by side (scheduler
with 1 and 2 Ps, foreign calls and callbacks against cgo, callbacks from a
C thread against JNI (openjdk-17) and Python's ctypes, a timer storm
against time.AfterFunc, preemption against Go's, the span set against a
mutex-guarded vector and Boost.Lockfree's stack), and prints (and writes) a
table of both and their ratio.

Usage: bench/compare.py BUILD_DIR OUT_MARKDOWN [calls|callbacks|callback-peers|timers|sched|globq|preempt|spanset [CPUS]]
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
        name = b["run_name"].split("/")[0]
        scale = {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
        res[name] = dict(b, ns=b["real_time"] * scale)
    return res


def run_go(procs, workdir, *args):
    out = subprocess.run([build_go("sched", workdir), *args],
                         env=dict(os.environ, GOMAXPROCS=str(procs)), check=True,
                         capture_output=True, text=True).stdout
    return parse_lines(out)


def build_go(pkg, workdir):
    """Builds the Go peer bench/peers/go/PKG; returns the executable."""
    exe = os.path.join(workdir, "go" + pkg)
    if not os.path.exists(exe):
        env = dict(os.environ, GOCACHE=os.path.join(workdir, "gocache"), GOFLAGS="-mod=mod",
                   GO111MODULE="on", CGO_ENABLED="1")
        subprocess.run([GO, "build", "-o", exe, "./" + pkg],
                       cwd=os.path.join(HERE, "peers", "go"), env=env, check=True)
    return exe


def parse_lines(out):
    """"name value" lines, as the Go peers and net_bench print them."""
    return {line.split()[0]: float(line.split()[1]) for line in out.splitlines() if line.strip()}


def medians(build, program, repetitions=3, bench_filter=None):
    """Runs a Google Benchmark program `repetitions` times over (only the
    benchmarks bench_filter matches, if given); each benchmark's median real
    time (or its ns_per_callback counter), by name."""
    filt = [f"--benchmark_filter={bench_filter}"] if bench_filter else []
    res = subprocess.run(
        [os.path.join(build, "bench", program), "--benchmark_format=json",
         "--benchmark_min_time=0.5", f"--benchmark_repetitions={repetitions}",
         "--benchmark_report_aggregates_only=true", *filt],
        check=True, capture_output=True, text=True).stdout
    med = {}
    for b in json.loads(res)["benchmarks"]:
        # One repetition has no aggregates: its one run is the median.
        if b.get("aggregate_name") == "median" or (repetitions == 1 and
                                                   b.get("run_type") == "iteration"):
            med[b["run_name"].split("/")[0]] = b.get("ns_per_callback", b["real_time"])
    return med


def alternate(run_cbridge_once, run_peer_once, rounds):
    """Runs cbridge and its peer alternately, `rounds` pairs (so that a
    noisy stretch of the machine hits both sides); returns both lists."""
    cbs, peers = [], []
    for _ in range(rounds):
        cbs.append(run_cbridge_once())
        peers.append(run_peer_once())
    return cbs, peers


def pair_row(what, cbs, peers, cname, peer, gname):
    """A row from alternated runs: both sides' medians, the median of the
    pairs' ratios and their spread (min, max)."""
    n = len(cbs)
    ratios = sorted(c[cname] / max(g[gname], 1e-3) for c, g in zip(cbs, peers))
    cmed = sorted(c[cname] for c in cbs)[n // 2]
    gmed = sorted(g[gname] for g in peers)[n // 2]
    return (what, cmed, peer, gmed, ratios[n // 2], (ratios[0], ratios[-1]))


def run_program(*argv, env=None):
    """Runs a program that prints "name value" lines; returns them."""
    return parse_lines(subprocess.run(list(argv), check=True, capture_output=True, text=True,
                                      env=env).stdout)


def pinned(cpus, *argv):
    """argv run under `taskset -c CPUS` (both sides of a pair get the same)."""
    return ["taskset", "-c", cpus, *argv]


def spread_of(values):
    """The median of `values` and their (min, max)."""
    v = sorted(values)
    return v[len(v) // 2], (v[0], v[-1])


def run_preempt(build, workdir, cpus, rounds=7):
    """Preemption (issue 13). checkpoint(): the cost of one call with no
    request pending, the difference per iteration between a loop of
    dependent arithmetic with and without it (in one process; `rounds`
    processes, median and spread of their differences); the peer is the bare
    loop, not Go. The ticker: on 1 P (CBRIDGE_MAXPROCS=1 / GOMAXPROCS=1) a
    task in preemptible() spins a loop without calls while another sleeps
    1 ms in a loop for 2 s; its lateness p50 and p99 (µs) against Go's
    asynchronous preemption, as alternated pairs (goal: p99 <= Go's). Both
    sides run pinned to the same CPUs. Returns the rows and a note line."""
    exe = os.path.join(build, "bench", "preempt_bench")
    cps = [run_program(*pinned(cpus, exe, "checkpoint")) for _ in range(rounds)]
    cost, (lo, hi) = spread_of(c["CheckpointCostNs"] for c in cps)
    loop, _ = spread_of(c["CheckpointLoopNs"] for c in cps)
    bare, _ = spread_of(c["BareLoopNs"] for c in cps)
    rows = [("checkpoint() with no request pending: loop with it − loop without, per call (ns)",
             f"{loop:.3f}", "bare loop", f"{bare:.3f}", f"{cost:+.3f} ns ({lo:+.3f}–{hi:+.3f})")]

    env = dict(os.environ, CBRIDGE_MAXPROCS="1", GOMAXPROCS="1")
    goexe = build_go("preempt", workdir)
    cbs, gos = alternate(lambda: run_program(*pinned(cpus, exe, "ticker"), env=env),
                         lambda: run_program(*pinned(cpus, goexe), env=env), rounds)
    for key, what in (("TickerLateP50Us", "p50"), ("TickerLateP99Us", "p99")):
        rows.append(pair_row("1 ms sleeper behind a task spinning in preemptible(): "
                             f"lateness, {what} (µs)", cbs, gos, key, "Go", key))
    asy, (alo, ahi) = spread_of(c["PreemptAsync"] for c in cbs)
    coop, _ = spread_of(c["PreemptCooperative"] for c in cbs)
    refused = sum(c["PreemptRefused"] for c in cbs)
    timeouts = sum(c["PreemptAckTimeouts"] for c in cbs)
    ticks, _ = spread_of(c["TickerTicks"] for c in cbs)
    gticks, _ = spread_of(g["TickerTicks"] for g in gos)
    note = (f"Ticker runs (CPUs {cpus}, {rounds} pairs): cbridge preempt_async per 2 s run "
            f"{asy:.0f} ({alo:.0f}–{ahi:.0f}), preempt_cooperative {coop:.0f}, in all runs "
            f"preempt_refused {refused:.0f} and preempt_ack_timeouts {timeouts:.0f}; "
            f"ticks cbridge {ticks:.0f}, Go {gticks:.0f}. checkpoint() rows: "
            f"CheckpointRequests {max(c['CheckpointRequests'] for c in cps):.0f} "
            "(0: none pending).")
    return rows, note


# The span set's peers in spanset_bench, and what the rows call them.
SPANSET_PEERS = [("BM_MutexVector", "mutex+vector"), ("BM_BoostStack", "Boost stack")]
SPANSET_THREADS = (1, 2, 8)


def run_spanset_once(build, cpus, name, threads):
    """One process of spanset_bench running one structure's row on
    `threads` threads, pinned to CPUS: ns per pair (all threads together),
    pairs per second, and the pops that found the structure empty."""
    out = subprocess.run(
        pinned(cpus, os.path.join(build, "bench", "spanset_bench"), "--benchmark_format=json",
               f"--benchmark_filter=^{name}/real_time/threads:{threads}$", "--benchmark_min_time=0.5"),
        check=True, capture_output=True, text=True).stdout
    b = json.loads(out)["benchmarks"][0]
    scale = {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
    return {"ns": b["real_time"] * scale, "pairs": b["items_per_second"], "empty": b["pop_empty"]}


def run_spanset(build, cpus, rounds=7):
    """Push+pop pairs on a shared free list (issue 14): the span set against
    a mutex-guarded vector and against Boost.Lockfree's (node-based) stack,
    on 1, 2 and 8 threads (8 oversubscribes 2 cores on purpose). For each
    thread count and peer, `rounds` alternated pairs of processes (span
    set, peer, span set, ...; one row each, so that the two sides of a pair
    run within a second or two of each other), both pinned to the same
    CPUs; each row has the medians of ns per pair (all threads together;
    lower is better) and the median of the pairs' ratios with their spread.
    Returns the rows and a note line."""
    rows, notes = [], []
    for t in SPANSET_THREADS:
        note = []
        for peer, label in SPANSET_PEERS:
            cbs, peers = alternate(lambda: run_spanset_once(build, cpus, "BM_SpanSet", t),
                                   lambda: run_spanset_once(build, cpus, peer, t), rounds)
            rows.append(pair_row(f"push+pop pair on a shared free list, {t} thread{'s' * (t > 1)}: "
                                 f"span set against {label}, all threads (ns)",
                                 cbs, peers, "ns", label, "ns"))
            note.append(f"span set {spread_of(c['pairs'] for c in cbs)[0] / 1e6:.1f} against {label} "
                        f"{spread_of(p['pairs'] for p in peers)[0] / 1e6:.1f}, span set pops that "
                        f"found it empty {sum(c['empty'] for c in cbs):.0f}")
        notes.append(f"{t} thread{'s' * (t > 1)}: " + "; ".join(note))
    note = (f"Span set runs (CPUs {cpus}, {rounds} pairs per row), median M pairs/s: "
            + "; ".join(notes) + ". Boost stack: boost::lockfree::stack<T*>, node-based, "
            "freelist reserved.")
    return rows, note


def run_sched_pairs(build, workdir, procs, rounds=5):
    """The scheduler rows as alternated pairs against Go with the same
    number of Ps (CBRIDGE_MAXPROCS / GOMAXPROCS)."""
    def once_cbridge():
        r = run_cbridge(build, procs, "BM_TaskStartFinish|BM_ChanHandoff|BM_Yield|BM_SpawnJoin100k",
                        ["--benchmark_min_time=0.5"])
        return {name: b["ns"] for name, b in r.items()}

    cbs, gos = alternate(once_cbridge, lambda: run_go(procs, workdir), rounds)
    rows = []
    for cname, gname, what in PAIRS:
        if "(ms)" in what:
            for c, g in zip(cbs, gos):
                c[cname + "_ms"] = c[cname] / 1e6
                g[gname + "_ms"] = g[gname] / 1e6
            cname, gname = cname + "_ms", gname + "_ms"
        rows.append(pair_row(what, cbs, gos, cname, "Go", gname))
    return rows


def run_globq(build, workdir, rounds=5):
    """A task back from a 20 ms C call while two ping-pong pairs keep both
    Ps busy: how much longer than 20 ms the call took (waiting for a P on
    the global queue), against a cgo call in Go under the same load."""
    env = dict(os.environ, CBRIDGE_MAXPROCS="2", GOMAXPROCS="2")
    exe = build_go("globq", workdir)
    cbs, gos = alternate(lambda: run_program(os.path.join(build, "bench", "globq_bench"), env=env),
                         lambda: run_program(exe, env=env), rounds)
    return [
        pair_row("task back from a 20 ms C call, both Ps busy: extra wait, p50 (ms)", cbs, gos,
                 "SyscallReturnExtraP50Ms", "Go cgo", "SyscallReturnExtraP50Ms"),
        pair_row("task back from a 20 ms C call, both Ps busy: extra wait, max (ms)", cbs, gos,
                 "SyscallReturnExtraMaxMs", "Go cgo", "SyscallReturnExtraMaxMs"),
    ]


def run_calls(build, workdir, rounds=5):
    """The foreign-call benchmarks: cbridge's typed and dynamic calls, the C
    API's prepared call and call by string (a cache hit), bare libffi and a
    direct call, each against Go 1.19's cgo call. cbridge and
    Go run alternately, `rounds` pairs; each row has the medians and the
    median of the pairs' ratios with their spread."""
    goexe = build_go("cgo", workdir)
    cbs, gos = alternate(lambda: medians(build, "call_bench", repetitions=1),
                         lambda: run_program(goexe), rounds)

    def row(what, cname):
        return pair_row(what, cbs, gos, cname, "Go cgo", "CgoCall")

    return [
        row("call of an empty C function: typed cbridge::call (ns)", "BM_TypedCall"),
        row("call of an empty C function: dynamic ForeignFunction (ns)", "BM_DynamicCall"),
        row("call of an empty C function: C API prepared cbridge_fn_call (ns)", "BM_CFnCall"),
        row("call of an empty C function: C API cbridge_call by string, cache hit (ns)",
            "BM_CCallByString"),
        row("call of an empty C function: bare libffi ffi_call (ns)", "BM_BareFfiCall"),
        row("call of an empty C function: direct C call (ns)", "BM_DirectCall"),
    ]


def run_callbacks(build, workdir, rounds=5):
    """Callbacks of an empty handler, against Go 1.19: from a foreign thread
    with a warm cache (Go: a C-created pthread calling an exported Go
    function), nested (Go: a Go→C→Go round trip), and the bare libffi
    closure. cbridge and Go run alternately, `rounds` pairs; each row has
    the medians and the median of the pairs' ratios with their spread."""
    goexe = build_go("callbacks", workdir)
    cbs, gos = alternate(lambda: medians(build, "callback_bench", repetitions=1),
                         lambda: run_program(goexe), rounds)

    def row(what, cname, peer, gname):
        return pair_row(what, cbs, gos, cname, peer, gname)

    return [
        row("callback from a foreign thread, warm (ns)", "BM_CallbackForeignThreadWarm",
            "Go C-thread→Go", "CThreadCallsGo"),
        row("callback nested: task → C → callback → back (ns)", "BM_CallbackNestedRoundTrip",
            "Go Go→C→Go", "GoCGoRoundTrip"),
        row("callback after a stack switch, main thread (ns)",
            "BM_CallbackAfterStackSwitchMainThread", "Go C-thread→Go", "CThreadCallsGo"),
        row("callback after a stack switch, worker thread (ns)",
            "BM_CallbackAfterStackSwitchWorkerThread", "Go C-thread→Go", "CThreadCallsGo"),
        row("fiber switch pair inside the two rows above (ns)", "BM_FiberSwitchPair",
            "Go C-thread→Go", "CThreadCallsGo"),
        row("bare libffi closure call (ns)", "BM_BareFfiClosure", "Go C-thread→Go",
            "CThreadCallsGo"),
    ]


JDK = "/usr/lib/jvm/java-17-openjdk-amd64"


def build_jni_peer(workdir):
    """Builds the JNI peer (bench/peers/jni: a C program that creates a JVM
    and calls a static empty Java method from a pthread attached once);
    its argv, or (None, why) when no JDK is installed."""
    javac, jni_h = os.path.join(JDK, "bin", "javac"), os.path.join(JDK, "include", "jni.h")
    if not (os.path.exists(javac) and os.path.exists(jni_h)):
        return None, f"JNI row skipped: no JDK in {JDK} (scripts/setup.sh --bench installs openjdk-17-jdk-headless)"
    src = os.path.join(HERE, "peers", "jni")
    subprocess.run([javac, "-d", workdir, os.path.join(src, "Empty.java")], check=True)
    exe = os.path.join(workdir, "jni_callback")
    subprocess.run([os.environ.get("CC", "cc"), "-O2", f"-I{JDK}/include", f"-I{JDK}/include/linux",
                    os.path.join(src, "jni_callback.c"), f"-L{JDK}/lib/server", "-ljvm",
                    f"-Wl,-rpath,{JDK}/lib/server", "-pthread", "-o", exe], check=True)
    return [exe, workdir], None


def build_ctypes_peer(workdir):
    """Builds the ctypes peer (bench/peers/ctypes: a pthread of a small C
    library calls a Python CFUNCTYPE callback); its argv, or (None, why)
    when this Python has no ctypes."""
    try:
        import ctypes  # noqa: F401
    except ImportError:
        return None, f"ctypes row skipped: {sys.executable} has no ctypes"
    src = os.path.join(HERE, "peers", "ctypes")
    lib = os.path.join(workdir, "libcthread.so")
    subprocess.run([os.environ.get("CC", "cc"), "-O2", "-shared", "-fPIC",
                    os.path.join(src, "cthread.c"), "-pthread", "-o", lib], check=True)
    return [sys.executable, os.path.join(src, "ctypes_callback.py"), lib], None


def run_callback_peers(build, workdir, rounds=5):
    """A warm callback of an empty handler from a foreign thread against
    JNI (a C thread attached once calling a static Java method, as cbridge
    keeps a C thread's M) and Python's ctypes (a C thread calling a
    CFUNCTYPE). Alternated pairs, like run_callbacks; a peer that is not
    installed is skipped with one note. Returns (rows, notes)."""
    rows, notes = [], []
    for label, key, (argv, why) in (
            ("JNI C-thread→Java", "JniCThreadCallsJava", build_jni_peer(workdir)),
            ("ctypes C-thread→Python", "CtypesCThreadCallsPython", build_ctypes_peer(workdir))):
        if argv is None:
            print(f"compare: {why}", file=sys.stderr)
            notes.append(why)
            continue
        cbs, peers = alternate(
            lambda: medians(build, "callback_bench", repetitions=1,
                            bench_filter="BM_CallbackForeignThreadWarm$"),
            lambda: run_program(*argv), rounds)
        rows.append(pair_row("callback of an empty handler from a foreign thread, warm (ns)", cbs,
                             peers, "BM_CallbackForeignThreadWarm", label, key))
    return rows, notes


def run_net(build, workdir):
    """The netpoller against Go's net package: a loopback TCP echo (50
    connections, 64-byte messages, round trips per second: higher is better,
    so the ratio is Go / cbridge) and a pipe ping-pong (ns per round trip)."""
    exe = build_go("net", workdir)
    parse = parse_lines

    cbs, gos = [], []
    for _ in range(5):  # alternate, and take medians: the echo is the noisiest
        cbs.append(parse(subprocess.run([os.path.join(build, "bench", "net_bench")], check=True,
                                        capture_output=True, text=True).stdout))
        gos.append(parse(subprocess.run([exe], check=True, capture_output=True, text=True).stdout))

    def med(rows, key):
        return sorted(r[key] for r in rows)[len(rows) // 2]

    ce, ge = med(cbs, "EchoRoundTripsPerSecond"), med(gos, "EchoRoundTripsPerSecond")
    cp, gp = med(cbs, "PipePingPongNs"), med(gos, "PipePingPongNs")
    return [
        ("loopback TCP echo, 50 connections, round trips/s (ratio: Go/cbridge)", ce, "Go net", ge),
        ("pipe ping-pong through the netpoller, one round trip (ns)", cp, "Go os.Pipe", gp),
    ]


def run_timers(build, workdir, rounds=5):
    """A timer storm against Go's time.AfterFunc: 100,000 timers with random
    delays in [0, 100 ms) armed at once; how late their functions ran (ms),
    the median and the largest. cbridge and Go run alternately, `rounds`
    pairs; each row has the medians and the median of the pairs' ratios
    with their spread."""
    exe = build_go("timers", workdir)
    cbs, gos = alternate(lambda: run_program(os.path.join(build, "bench", "timer_bench")),
                         lambda: run_program(exe), rounds)

    def row(what, key):
        return pair_row(what, cbs, gos, key, "Go AfterFunc", key)

    return [
        row("timer storm: 100,000 timers in [0,100 ms), p50 lateness (ms)", "StormLateP50Ms"),
        row("timer storm: 100,000 timers in [0,100 ms), max lateness (ms)", "StormLateMaxMs"),
    ]


def main():
    build, outpath = sys.argv[1], sys.argv[2]
    # A third argument picks one part: "calls" runs only the foreign-call
    # rows, "callbacks" only the callback rows (after a change to that path; with the JNI and
    # ctypes rows, which "callback-peers" runs alone), "timers" only the timer
    # storm, "sched" the scheduler rows as alternated pairs, "globq" the
    # global run queue under load, "preempt" the preemption rows (pinned to
    # the CPUs of a fourth argument, a taskset list; default the last CPU),
    # "spanset" the span set against its peers (pinned to the CPUs of the
    # fourth argument; default all of them).
    only = sys.argv[3] if len(sys.argv) > 3 else None
    cpus = sys.argv[4] if len(sys.argv) > 4 else None
    rows, notes = [], []
    with tempfile.TemporaryDirectory() as work:
        for procs in (1, 2) if only is None else ():
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
            rows.append(("task switch (yield between two tasks), one way (ns)",
                         procs, sw, fc, sw / fc, "fcontext"))
            mem = cb["BM_ParkedTasksRSS"]["MiB_per_100k_parked"]
            rows.append(("resident memory of 100,000 parked tasks (MiB)", procs, mem,
                         go["ParkedTasksRSS_MiB"], mem / go["ParkedTasksRSS_MiB"]))
        for what, c, peer, g, r, spread in run_calls(build, work) if only in (None, "calls") else ():
            rows.append((what, 0, c, g, r, peer, spread))
        for what, c, peer, g, r, spread in run_callbacks(build, work) if only in (None, "callbacks") else ():
            rows.append((what, 0, c, g, r, peer, spread))
        if only in (None, "callbacks", "callback-peers"):
            crows, cnotes = run_callback_peers(build, work)
            notes += cnotes
            for what, c, peer, g, r, spread in crows:
                rows.append((what, 0, c, g, r, peer, spread))
        for what, c, peer, g, r, spread in run_timers(build, work) if only in (None, "timers") else ():
            rows.append((what, 0, c, g, r, peer, spread))
        for procs in (1, 2) if only == "sched" else ():
            for what, c, peer, g, r, spread in run_sched_pairs(build, work, procs):
                rows.append((what, procs, c, g, r, peer, spread))
        for what, c, peer, g, r, spread in run_globq(build, work) if only in (None, "globq") else ():
            rows.append((what, 2, c, g, r, peer, spread))
        if only in (None, "preempt"):
            prows, note = run_preempt(build, work, cpus or str(os.cpu_count() - 1))
            notes.append(note)
            for what, c, peer, g, r, *spread in prows:
                rows.append((what, 1, c, g, r, peer, *spread))
        if only in (None, "spanset"):
            srows, note = run_spanset(build, cpus or f"0-{os.cpu_count() - 1}")
            notes.append(note)
            for what, c, peer, g, r, spread in srows:
                rows.append((what, 0, c, g, r, peer, spread))
        for what, c, peer, g in run_net(build, work) if only is None else ():
            higher_is_better = "round trips/s" in what
            rows.append((what, 0, c, g, g / c if higher_is_better else c / g, peer))
    lines = ["| measurement | Ps | cbridge | peer | ratio |", "|---|---|---|---|---|"]
    for row in rows:
        what, procs, c, g, r = row[:5]
        peer = row[5] if len(row) > 5 else "Go"
        ps = "-" if procs == 0 else str(procs)
        spread = f" ({row[6][0]:.3f}–{row[6][1]:.3f})" if len(row) > 6 else ""
        # A row may bring its figures already formatted (the checkpoint row's
        # "ratio" is a difference in ns).
        c, g = (v if isinstance(v, str) else f"{v:.1f}" for v in (c, g))
        r = r if isinstance(r, str) else f"{r:.3f}"
        lines.append(f"| {what} | {ps} | {c} | {peer} {g} | {r}{spread} |")
    table = "\n".join(lines + ([""] + notes if notes else []))
    print(table)
    with open(outpath, "w") as f:
        f.write("Peers: Go 1.19 (golang-1.19-go), a bare Boost.Context fcontext switch, JNI\n"
                "(openjdk-17) and Python's ctypes for callbacks from a C thread, and for the\n"
                "span set a mutex-guarded std::vector and Boost.Lockfree's stack, measured in the\n"
                "same run. Ratio = cbridge / peer (lower is better).\n\n")
        f.write(table + "\n")


if __name__ == "__main__":
    main()
