#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs cbridge's benchmarks against their peers and prints (and writes) one
table: the scheduler with 1 and 2 Ps, task switches against a bare
Boost.Context fcontext switch and parked-task memory against Go 1.19;
foreign calls and callbacks against cgo; callbacks from a C thread against
JNI (openjdk-17) and Python's ctypes; a timer storm against time.AfterFunc;
the global run queue and preemption against Go's; the span set against a
mutex-guarded vector and Boost.Lockfree's stack; the netpoller (TCP echo
with 1, 50 and 1,000 connections, a 16 KiB payload, a pipe ping-pong)
against Go's net package, once per netpoller backend (CBRIDGE_NETPOLL);
and system calls per echo round trip (strace -f -c).

How every row is measured (issue 16): alternated pairs of processes in this
one invocation -- cbridge, peer, cbridge, peer, ... (--pairs, at least 5) --
so that a noisy stretch of the machine hits both sides. Both sides of a pair
run under the same `taskset -c CPUS` (default all CPUs) and the same
CBRIDGE_MAXPROCS = GOMAXPROCS (the row's Ps column). A row gives each side's
median, the median of the per-pair ratios (cbridge / peer; the row says when
higher is better) and their spread (min-max), and, if it has one, its target
marked met or not, and whether the spread crosses it. The header names the
date, the machine and the command line, so that the table can be pasted
into the README unedited.

Usage: bench/compare.py [--pairs N] BUILD_DIR OUT_MARKDOWN [PART [CPUS]]
  PART: all (default), sched, calls, callbacks, callback-peers, timers,
        globq, preempt, spanset, net, syscalls, trace; or wine: the rows
        that port to Windows, under Wine, BUILD_DIR being the cross build
        of tests/win64 (build-win64/cross; see WineCtx), not in all
  CPUS: a taskset list for every process (default all CPUs); the preemption
        rows, which need one CPU, take its last one.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

GO = "/usr/lib/go-1.19/bin/go"
HERE = os.path.dirname(os.path.abspath(__file__))
PARTS = ["sched", "calls", "callbacks", "callback-peers", "timers", "globq", "preempt", "spanset",
         "net", "syscalls", "trace", "wine"]


# --- targets ---------------------------------------------------------------

@dataclass
class Cond:
    """One bound a row must meet: on the ratio ("ratio") or on cbridge's own
    figure ("cbridge"), e.g. Cond("ratio", "<=", 1.0)."""
    on: str
    op: str
    bound: float

    def ok(self, v):
        return {"<=": v <= self.bound, "<": v < self.bound,
                ">=": v >= self.bound, ">": v > self.bound}[self.op]


@dataclass
class Target:
    """A row's goal, as the README states it (text), and its bounds."""
    text: str
    conds: list

    def mark(self, row):
        """The target's text and "✓" when the median and the whole spread
        meet every bound; else which bound the spread crosses, or "✗"."""
        med_ok, crossed = True, []
        for c in self.conds:
            med, (lo, hi) = ((row.ratio, row.spread) if c.on == "ratio"
                             else (row.c, (min(row.cvals), max(row.cvals))))
            med_ok &= c.ok(med)
            if c.ok(lo) != c.ok(hi):
                crossed.append(f"{c.bound:g}")
        if not crossed:
            return f"{self.text} {'✓' if med_ok else '✗'}"
        return (f"{self.text}: {'median ✓' if med_ok else '✗'}, spread crosses "
                f"{' and '.join(crossed)}")


def at_most(b):
    return Target(f"≤ {b}", [Cond("ratio", "<=", b)])


def below(b):
    return Target(f"< {b}", [Cond("ratio", "<", b)])


# --- rows ------------------------------------------------------------------

@dataclass
class Row:
    what: str
    procs: int          # CBRIDGE_MAXPROCS = GOMAXPROCS
    c: float            # cbridge's median
    peer: str
    g: float            # the peer's median
    ratio: float        # median of the per-pair ratios (or differences)
    spread: tuple       # their (min, max)
    cvals: list = field(default_factory=list)
    target: Target = None
    unit: str = ""      # after the ratio: "" (a ratio) or " ns" (a difference)


def median(v):
    v = sorted(v)
    return v[len(v) // 2]


def pair_row(what, procs, cbs, peers, ckey, peer, gkey, target=None, scale=1.0):
    """A row from alternated runs (cbs[i] and peers[i] ran one after the
    other): both sides' medians (times `scale`), the median of the pairs'
    ratios and their (min, max)."""
    cvals = [c[ckey] * scale for c in cbs]
    gvals = [g[gkey] * scale for g in peers]
    ratios = sorted(c / max(g, 1e-12) for c, g in zip(cvals, gvals))
    return Row(what, procs, median(cvals), peer, median(gvals), median(ratios),
               (ratios[0], ratios[-1]), cvals, target)


def fmt_value(v):
    if isinstance(v, str):
        return v
    if abs(v) >= 10000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3f}"


def fmt_row(r):
    if r.unit:  # a difference, signed
        ratio = f"{r.ratio:+.3f}{r.unit} ({r.spread[0]:+.3f}–{r.spread[1]:+.3f})"
    else:
        cross1 = "; crosses 1" if r.spread[0] < 1 < r.spread[1] and not r.target else ""
        ratio = f"{r.ratio:.3f} ({r.spread[0]:.3f}–{r.spread[1]:.3f}{cross1})"
    target = r.target.mark(r) if r.target else ""
    return (f"| {r.what} | {r.procs} | {fmt_value(r.c)} | {r.peer} {fmt_value(r.g)} | {ratio} "
            f"| {target} |")


# --- running programs --------------------------------------------------------

@dataclass
class Ctx:
    build: str
    work: str
    cpus: str           # taskset list for every process
    ncpus: int          # CPUs in it: the Ps of rows that do not set their own
    pairs: int
    notes: list = field(default_factory=list)
    backends: list = None  # netpoll_backends(), once

    def exe(self, name):
        return os.path.join(self.build, "bench", name)

    def run(self, argv, procs, env=None, cpus=None):
        """Runs argv pinned to the CPUs with CBRIDGE_MAXPROCS = GOMAXPROCS =
        procs; returns its stdout."""
        e = dict(os.environ, CBRIDGE_MAXPROCS=str(procs), GOMAXPROCS=str(procs), **(env or {}))
        return subprocess.run(["taskset", "-c", cpus or self.cpus, *argv], env=e, check=True,
                              capture_output=True, text=True).stdout

    def lines(self, argv, procs, env=None, cpus=None):
        """Runs a program that prints "name value" lines; returns them."""
        return parse_lines(self.run(argv, procs, env, cpus))

    def gbench(self, program, procs, bench_filter, min_time=0.5, cpus=None):
        """One run of a Google Benchmark program: by benchmark name, its real
        time in ns ("ns") and its counters."""
        out = self.run([self.exe(program), "--benchmark_format=json",
                        f"--benchmark_filter={bench_filter}",
                        f"--benchmark_min_time={min_time}"], procs, cpus=cpus)
        res = {}
        for b in json.loads(out)["benchmarks"]:
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
            res[b["run_name"].split("/")[0]] = dict(b, ns=b["real_time"] * scale)
        return res

    # How the Go peers are built: for this machine (WineCtx: for Windows).
    goenv, goflags, exe_suffix = {}, [], ""

    def go(self, pkg):
        """Builds the Go peer bench/peers/go/PKG once; returns the executable."""
        exe = os.path.join(self.work, "go" + pkg + self.exe_suffix)
        if not os.path.exists(exe):
            env = dict(os.environ, GOCACHE=os.path.join(self.work, "gocache"), GOFLAGS="-mod=mod",
                       GO111MODULE="on", CGO_ENABLED="1", **self.goenv)
            subprocess.run([GO, "build", *self.goflags, "-o", exe, "./" + pkg],
                           cwd=os.path.join(HERE, "peers", "go"), env=env, check=True)
        return exe

    def alternate(self, run_cbridge_once, run_peer_once):
        """cbridge and its peer alternately, self.pairs pairs; both lists."""
        cbs, peers = [], []
        for _ in range(self.pairs):
            cbs.append(run_cbridge_once())
            peers.append(run_peer_once())
        return cbs, peers


def parse_lines(out):
    """"name value" lines, as the Go peers and the non-Google-Benchmark
    programs print them; values that are not numbers are kept as text."""
    res = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                res[parts[0]] = float(parts[1])
            except ValueError:
                res[parts[0]] = parts[1]
    return res


# --- the parts ----------------------------------------------------------------

SCHED = ("BM_TaskStartFinish|BM_ChanHandoff|BM_Yield|BM_TaskSwitch|BM_SpawnJoin100k|BM_FcontextSwitch"
         "|BM_FreshStack256K|BM_BareStack256K|BM_StackTopChase")


def run_sched(ctx):
    """The scheduler against Go with 1 and 2 Ps: each pair is one
    sched_bench process (which also runs the task switch and, right after
    it, its peer, a bare fcontext switch) and one Go process; then parked
    tasks' memory, each side in a process that runs nothing else."""
    rows = []
    for procs in (1, 2):
        cbs, gos = ctx.alternate(lambda: ctx.gbench("sched_bench", procs, SCHED),
                                 lambda: ctx.lines([ctx.go("sched")], procs))
        flat = [{k: v["ns"] for k, v in c.items()} for c in cbs]
        for what, cname, gname, target, scale in (
                ("start+finish of a task (ns)", "BM_TaskStartFinish", "TaskStartFinish", None, 1),
                ("start+finish of a task with a 64 KiB `stack_size` (ns)", "BM_TaskStartFinish64K",
                 "TaskStartFinish", None, 1),
                ("unbuffered channel hand-off, one way (ns)", "BM_ChanHandoff", "ChanHandoff",
                 at_most(1.0), 1),
                ("yield with nothing else to run (ns)", "BM_Yield", "Yield", None, 1),
                ("100,000 tasks spawn+join (ms)", "BM_SpawnJoin100k", "SpawnJoin100k",
                 at_most(1.0 if procs == 1 else 0.8), 1e-6)):
            rows.append(pair_row(what, procs, flat, gos, cname, "Go", gname, target, scale))
        # The cache-miss path of a stack (stacks of every size are cached,
        # so a task meets it only when its class's cache is empty), against
        # the same system calls made bare in the same process.
        rows.append(pair_row("a fresh 256 KiB stack: map, guard, first write, unmap (µs)", procs, flat,
                             flat, "BM_FreshStack256K", "bare mmap", "BM_BareStack256K", None, 1e-3))
        # What spawn+join's stack tops cost in the order the free lists
        # hand them out, against address order (no tasks: once is enough).
        if procs == 1:
            rows.append(pair_row("a load from each of 100,000 stack tops 320 KiB apart, shuffled "
                                 "order (ns a hop)", procs, flat, flat, "BM_StackTopChaseShuffled",
                                 "address order", "BM_StackTopChaseAddressOrder", None, 1))
        # Google Benchmark reports an inverted rate counter in seconds.
        sw = [{"sw": c["BM_TaskSwitch"]["ns_per_switch"],
               "fc": c["BM_FcontextSwitch"]["ns_per_switch"]} for c in cbs]
        rows.append(pair_row("task switch (two tasks yielding to each other), one way (ns)", procs,
                             sw, sw, "sw", "fcontext", "fc", at_most(3), 1e9))
        cbs, gos = ctx.alternate(
            lambda: ctx.gbench("sched_bench", procs, "BM_ParkedTasksRSS")["BM_ParkedTasksRSS"],
            lambda: ctx.lines([ctx.go("sched"), "rss"], procs))
        rows.append(pair_row("resident memory of 100,000 parked tasks (MiB)", procs, cbs, gos,
                             "MiB_per_100k_parked", "Go", "ParkedTasksRSS_MiB",
                             Target("< 1024 MiB", [Cond("cbridge", "<", 1024)])))
    return rows


def run_calls(ctx):
    """Foreign calls of an empty C function against Go 1.19's cgo call."""
    p = ctx.ncpus
    cbs, gos = ctx.alternate(lambda: {k: v["ns"] for k, v in ctx.gbench("call_bench", p, ".").items()},
                             lambda: ctx.lines([ctx.go("cgo")], p))
    return [pair_row(f"call of an empty C function: {what} (ns)", p, cbs, gos, name, "Go cgo",
                     "CgoCall", target)
            for what, name, target in (
                ("typed `cbridge::call`", "BM_TypedCall", at_most(0.5)),
                ("dynamic `ForeignFunction`", "BM_DynamicCall", at_most(0.75)),
                ("C API prepared `cbridge_fn_call`", "BM_CFnCall", at_most(0.6)),
                ("C API `cbridge_call` by string, cache hit", "BM_CCallByString", at_most(0.75)),
                ("bare libffi `ffi_call`", "BM_BareFfiCall", None),
                ("direct C call", "BM_DirectCall", None))]


def callback_ns(ctx, bench_filter="."):
    """One callback_bench run: ns per callback by benchmark."""
    return {k: v.get("ns_per_callback", v["ns"])
            for k, v in ctx.gbench("callback_bench", ctx.ncpus, bench_filter).items()}


def run_callbacks(ctx):
    """Callbacks of an empty handler against Go 1.19: from a foreign thread
    with a warm cache (Go: a C-created pthread calling an exported Go
    function), nested (Go: a Go→C→Go round trip), after a stack switch, and
    the parts inside them."""
    p = ctx.ncpus
    cbs, gos = ctx.alternate(lambda: callback_ns(ctx), lambda: ctx.lines([ctx.go("callbacks")], p))
    cthread = "Go, C thread → Go"
    under_2us = Target("< 2 µs", [Cond("cbridge", "<", 2000)])
    return [pair_row(what, p, cbs, gos, name, peer, gname, target) for what, name, peer, gname, target in (
        ("callback of an empty handler from a foreign thread, warm (ns)",
         "BM_CallbackForeignThreadWarm", cthread, "CThreadCallsGo",
         Target("≥ 20× faster and < 150 ns", [Cond("ratio", "<=", 0.05), Cond("cbridge", "<", 150)])),
        ("callback nested: task → C → callback → back (ns)", "BM_CallbackNestedRoundTrip",
         "Go → C → Go", "GoCGoRoundTrip", at_most(1.0)),
        ("callback after a stack switch (coroutines), main thread (ns)",
         "BM_CallbackAfterStackSwitchMainThread", cthread, "CThreadCallsGo", under_2us),
        ("callback after a stack switch (coroutines), worker thread (ns)",
         "BM_CallbackAfterStackSwitchWorkerThread", cthread, "CThreadCallsGo", under_2us),
        ("the fiber switch pair included in the two rows above (ns)", "BM_FiberSwitchPair",
         cthread, "CThreadCallsGo", None),
        ("bare libffi closure call (ns)", "BM_BareFfiClosure", cthread, "CThreadCallsGo", None))]


JDK = "/usr/lib/jvm/java-17-openjdk-amd64"


def build_jni_peer(work):
    """Builds the JNI peer (bench/peers/jni: a C program that creates a JVM
    and calls a static empty Java method from a pthread attached once);
    its argv, or (None, why) when no JDK is installed."""
    javac, jni_h = os.path.join(JDK, "bin", "javac"), os.path.join(JDK, "include", "jni.h")
    if not (os.path.exists(javac) and os.path.exists(jni_h)):
        return None, f"JNI row skipped: no JDK in {JDK} (scripts/setup.sh --bench installs openjdk-17-jdk-headless)"
    src = os.path.join(HERE, "peers", "jni")
    subprocess.run([javac, "-d", work, os.path.join(src, "Empty.java")], check=True)
    exe = os.path.join(work, "jni_callback")
    subprocess.run([os.environ.get("CC", "cc"), "-O2", f"-I{JDK}/include", f"-I{JDK}/include/linux",
                    os.path.join(src, "jni_callback.c"), f"-L{JDK}/lib/server", "-ljvm",
                    f"-Wl,-rpath,{JDK}/lib/server", "-pthread", "-o", exe], check=True)
    return [exe, work], None


def build_ctypes_peer(work):
    """Builds the ctypes peer (bench/peers/ctypes: a pthread of a small C
    library calls a Python CFUNCTYPE callback); its argv, or (None, why)
    when this Python has no ctypes."""
    try:
        import ctypes  # noqa: F401
    except ImportError:
        return None, f"ctypes row skipped: {sys.executable} has no ctypes"
    src = os.path.join(HERE, "peers", "ctypes")
    lib = os.path.join(work, "libcthread.so")
    subprocess.run([os.environ.get("CC", "cc"), "-O2", "-shared", "-fPIC",
                    os.path.join(src, "cthread.c"), "-pthread", "-o", lib], check=True)
    return [sys.executable, os.path.join(src, "ctypes_callback.py"), lib], None


def run_callback_peers(ctx):
    """A warm callback from a foreign thread against JNI (a C thread
    attached once calling a static Java method, as cbridge keeps a C
    thread's M) and Python's ctypes (a C thread calling a CFUNCTYPE). A
    peer that is not installed is skipped with a note."""
    rows = []
    for label, key, (argv, why) in (
            ("JNI, attached C thread → Java", "JniCThreadCallsJava", build_jni_peer(ctx.work)),
            ("ctypes, C thread → Python", "CtypesCThreadCallsPython", build_ctypes_peer(ctx.work))):
        if argv is None:
            print(f"compare: {why}", file=sys.stderr)
            ctx.notes.append(why)
            continue
        cbs, peers = ctx.alternate(lambda: callback_ns(ctx, "BM_CallbackForeignThreadWarm$"),
                                   lambda: ctx.lines(argv, ctx.ncpus))
        rows.append(pair_row(f"callback of an empty handler from a foreign thread, warm (ns), "
                             f"against {label.split(',')[0]}", ctx.ncpus, cbs, peers,
                             "BM_CallbackForeignThreadWarm", label, key))
    return rows


def run_timers(ctx):
    """A timer storm against time.AfterFunc: 100,000 timers with random
    delays in [0, 100 ms) armed at once; how late their functions ran (ms)."""
    p = ctx.ncpus
    cbs, gos = ctx.alternate(lambda: ctx.lines([ctx.exe("timer_bench")], p),
                             lambda: ctx.lines([ctx.go("timers")], p))
    return [pair_row(f"timer storm: 100,000 timers due in [0, 100 ms), {what} lateness (ms)", p,
                     cbs, gos, key, "Go AfterFunc", key)
            for what, key in (("p50", "StormLateP50Ms"), ("max", "StormLateMaxMs"))]


def run_globq(ctx):
    """A task back from a 20 ms C call while ping-pong pairs keep both Ps
    busy: how much longer than 20 ms the call took (waiting for a P), against
    a cgo call in Go under the same load. Always 2 Ps."""
    cbs, gos = ctx.alternate(lambda: ctx.lines([ctx.exe("globq_bench")], 2),
                             lambda: ctx.lines([ctx.go("globq")], 2))
    return [
        pair_row("task back from a 20 ms C call while ping-pong pairs keep both Ps busy: wait for "
                 "a P beyond the 20 ms, p50 (ms)", 2, cbs, gos, "SyscallReturnExtraP50Ms",
                 "Go cgo", "SyscallReturnExtraP50Ms"),
        pair_row("the same, max (ms)", 2, cbs, gos, "SyscallReturnExtraMaxMs", "Go cgo",
                 "SyscallReturnExtraMaxMs"),
    ]


def run_preempt(ctx):
    """Preemption (issue 13), pinned to one CPU (the last of the list), 1 P.
    checkpoint(): the cost of one call with no request pending, as the
    difference per iteration between a loop of dependent arithmetic with it
    and the same loop without (the peer), alternated inside each process;
    one pair per process. The ticker: a task in preemptible() spins a loop
    without calls while another sleeps 1 ms in a loop for 2 s; its lateness
    against Go's asynchronous preemption."""
    cpu = ctx.cpus.replace("-", ",").split(",")[-1]
    exe = ctx.exe("preempt_bench")
    cps = [ctx.lines([exe, "checkpoint"], 1, cpus=cpu) for _ in range(ctx.pairs)]
    diffs = sorted(c["CheckpointCostNs"] for c in cps)
    rows = [Row("`checkpoint()` with no request pending: a loop with it − the same loop without, "
                "per call (ns)", 1, median(c["CheckpointLoopNs"] for c in cps), "bare loop",
                median(c["BareLoopNs"] for c in cps), median(diffs), (diffs[0], diffs[-1]),
                [c["CheckpointLoopNs"] for c in cps],
                Target("≤ 1 ns", [Cond("ratio", "<=", 1.0)]), " ns")]
    cbs, gos = ctx.alternate(lambda: ctx.lines([exe, "ticker"], 1, cpus=cpu),
                             lambda: ctx.lines([ctx.go("preempt")], 1, cpus=cpu))
    rows.append(pair_row("1 ms sleeper beside a task spinning in `preemptible()`: lateness, "
                         "p50 (µs)", 1, cbs, gos, "TickerLateP50Us", "Go", "TickerLateP50Us"))
    rows.append(pair_row("the same, p99 (µs)", 1, cbs, gos, "TickerLateP99Us", "Go",
                         "TickerLateP99Us", at_most(1.0)))
    ctx.notes.append(
        f"Preemption rows pinned to CPU {cpu}. Ticker runs: cbridge preempt_async per 2 s run "
        f"{median(c['PreemptAsync'] for c in cbs):.0f} "
        f"({min(c['PreemptAsync'] for c in cbs):.0f}–{max(c['PreemptAsync'] for c in cbs):.0f}), "
        f"preempt_cooperative {median(c['PreemptCooperative'] for c in cbs):.0f}; in all runs "
        f"preempt_refused {sum(c['PreemptRefused'] for c in cbs):.0f} and preempt_ack_timeouts "
        f"{sum(c['PreemptAckTimeouts'] for c in cbs):.0f}; ticks cbridge "
        f"{median(c['TickerTicks'] for c in cbs):.0f}, Go {median(g['TickerTicks'] for g in gos):.0f}. "
        f"checkpoint(): CheckpointRequests {max(c['CheckpointRequests'] for c in cps):.0f} "
        "(0: none pending).")
    return rows


def run_trace(ctx):
    """The execution trace's cost: a foreign call of an empty C function
    from a task and a warm callback from a C thread, with a trace recording
    (every event stored) against none, alternated processes. The ratio
    column is the difference per event: (on − off) ÷ the events each
    operation records (2: enter and exit)."""
    p = ctx.ncpus
    exe = ctx.exe("trace_bench")
    rows = []
    for what, mode in (("foreign call of an empty C function", "calls"),
                       ("callback of an empty handler from a C thread, warm", "callbacks")):
        ons, offs = ctx.alternate(lambda: ctx.lines([exe, mode, "on"], p),
                                  lambda: ctx.lines([exe, mode, "off"], p))
        diffs = sorted((a["NsPerOp"] - b["NsPerOp"]) / a["EventsPerOp"] for a, b in zip(ons, offs))
        rows.append(Row(f"{what}, tracing on (peer: off); ratio column: cost per event (ns)", p,
                        median(a["NsPerOp"] for a in ons), "tracing off",
                        median(b["NsPerOp"] for b in offs), median(diffs), (diffs[0], diffs[-1]),
                        [a["NsPerOp"] for a in ons], None, " ns"))
    return rows


SPANSET_PEERS = [("BM_MutexVector", "mutex+vector", "the mutex-guarded vector"),
                 ("BM_BoostStack", "Boost stack", "Boost.Lockfree's `stack`")]


def run_spanset(ctx):
    """Push+pop pairs on a shared free list (issue 14): the span set against
    a mutex-guarded vector and Boost.Lockfree's (node-based) stack, on 1, 2
    and 8 threads (8 oversubscribes 2 cores on purpose); ns per pair, all
    threads together. One process per side of a pair, one row each."""
    def once(name, t):
        b = ctx.gbench("spanset_bench", ctx.ncpus, f"^{name}/real_time/threads:{t}$")
        b = next(iter(b.values()))
        return {"ns": b["ns"], "pairs": b["items_per_second"], "empty": b["pop_empty"]}

    rows, notes = [], []
    for t in (1, 2, 8):
        for peer, label, long in SPANSET_PEERS:
            cbs, peers = ctx.alternate(lambda: once("BM_SpanSet", t), lambda: once(peer, t))
            rows.append(pair_row(f"push+pop pair on a shared free list, {t} thread{'s' * (t > 1)}, "
                                 f"all threads (ns): span set against {long}", ctx.ncpus, cbs,
                                 peers, "ns", label, "ns", below(1.0) if t > 1 else None))
            notes.append(f"{t} thread{'s' * (t > 1)}: span set "
                         f"{median(c['pairs'] for c in cbs) / 1e6:.1f} M pairs/s, {label} "
                         f"{median(p['pairs'] for p in peers) / 1e6:.1f}")
    ctx.notes.append("Span set, median M pairs/s: " + "; ".join(notes) +
                     ". Boost stack: boost::lockfree::stack<T*>, node-based, freelist reserved.")
    return rows


# The echo rows: (connections, payload bytes). Each echo run lasts ECHO_MS.
ECHO = [(1, 64), (50, 64), (1000, 64), (50, 16384)]
ECHO_MS = 1500


def netpoll_backends(ctx):
    """The configurations of cbridge's netpoller to measure: (environment,
    name, the NetpollBackend and Iobatch net_bench must report). The
    default (epoll readiness, socket calls batched on io_uring), the same
    unbatched (CBRIDGE_IOBATCH=off, as where io_uring is refused), and the
    io_uring readiness backend (batched) when a run asked for it says it
    used it."""
    if ctx.backends is not None:
        return ctx.backends
    probe = ctx.lines([ctx.exe("net_bench"), "echo", "1", "64", "50"], ctx.ncpus)
    batch = str(probe.get("Iobatch", "off"))
    ctx.backends = [({}, "epoll" + (" + io_uring batch" if batch == "io_uring" else ""), "epoll", batch)]
    if batch == "io_uring":
        ctx.backends.append(({"CBRIDGE_IOBATCH": "off"}, "epoll, unbatched", "epoll", "off"))
    else:
        ctx.notes.append(f"batched rows skipped: net_bench reports the I/O batch {batch}.")
    got = ctx.lines([ctx.exe("net_bench"), "echo", "1", "64", "50"], ctx.ncpus,
                    env={"CBRIDGE_NETPOLL": "uring"}).get("NetpollBackend", "epoll")
    if "uring" in str(got):
        ctx.backends.append(({"CBRIDGE_NETPOLL": "uring"}, "io_uring poll" + (" + batch" if batch == "io_uring" else ""),
                             "io_uring", batch))
    else:
        ctx.notes.append(f"io_uring rows skipped: with CBRIDGE_NETPOLL=uring net_bench reports the "
                         f"{got} backend.")
    return ctx.backends


def net_bench_once(ctx, args):
    """One net_bench run per backend, each checked to have run it: its
    "name value" lines by backend name."""
    res = {}
    for env, name, backend, batch in netpoll_backends(ctx):
        out = ctx.lines([ctx.exe("net_bench"), *args], ctx.ncpus, env=env)
        if (str(out.get("NetpollBackend")), str(out.get("Iobatch"))) != (backend, batch):
            raise RuntimeError(f"net_bench with {env} ran {out.get('NetpollBackend')} "
                               f"(batch {out.get('Iobatch')})")
        res[name] = out
    return res


def run_echo(ctx):
    """Loopback TCP echo against Go's net package, once per backend: 1
    connection (round trips/s and latency), 50 and 1,000 connections of
    64 B (round trips/s; goal for 50: at least 1.5× Go's rate) and 50
    connections of 16 KiB (payload MB/s). A pair is one cbridge run per
    backend, then one Go run."""
    backends = netpoll_backends(ctx)
    p = ctx.ncpus
    rows = []
    for conns, size in ECHO:
        args = ["echo", str(conns), str(size), str(ECHO_MS)]
        cbs, gos = ctx.alternate(lambda: net_bench_once(ctx, args),
                                 lambda: ctx.lines([ctx.go("net"), *args], p))
        kb = f"{size // 1024} KiB" if size >= 1024 else f"{size} B"
        conn = f"{conns:,} connection{'s' * (conns > 1)}"
        for _, name, _, _ in backends:
            side = [c[name] for c in cbs]
            if size >= 1024:
                rows.append(pair_row(f"loopback TCP echo, {conn}, {kb}, payload MB/s each way "
                                     f"(higher is better) ({name})", p, side, gos,
                                     "EchoBytesPerSecond", "Go net", "EchoBytesPerSecond",
                                     scale=1e-6))
                continue
            target = Target("≥ 1.5× Go", [Cond("ratio", ">=", 1.5)]) if conns == 50 else None
            rows.append(pair_row(f"loopback TCP echo, {conn}, {kb}, round trips/s "
                                 f"(higher is better) ({name})", p, side, gos,
                                 "EchoRoundTripsPerSecond", "Go net", "EchoRoundTripsPerSecond",
                                 target))
            if conns == 1:
                for q in ("P50", "P99"):
                    rows.append(pair_row(f"the same, round trip latency {q.lower()} (µs) ({name})",
                                         p, side, gos, f"EchoLatency{q}Us", "Go net",
                                         f"EchoLatency{q}Us"))
    return rows


def run_net(ctx):
    """The netpoller against Go's net package: the echo rows, and a pipe
    ping-pong, once per backend."""
    rows = run_echo(ctx)
    p = ctx.ncpus
    cbs, gos = ctx.alternate(lambda: net_bench_once(ctx, ["pipe"]),
                             lambda: ctx.lines([ctx.go("net"), "pipe"], p))
    for _, name, _, _ in netpoll_backends(ctx):
        rows.append(pair_row(f"pipe ping-pong between two tasks through the netpoller, one round "
                             f"trip (ns) ({name})", p, [c[name] for c in cbs], gos,
                             "PipePingPongNs", "Go os.Pipe", "PipePingPongNs"))
    return rows


def strace_counts(ctx, argv, env=None):
    """Runs argv under `strace -f -c`; (its "name value" lines, calls by
    system call)."""
    out = os.path.join(ctx.work, "strace.out")
    lines = ctx.lines(["strace", "-f", "-c", "-o", out, *argv], ctx.ncpus, env=env)
    calls = {}
    with open(out) as f:
        for line in f:
            t = line.split()
            # "% time seconds usecs/call calls [errors] syscall"
            if len(t) >= 5 and re.fullmatch(r"[\d.]+", t[0]) and t[-1] != "total":
                calls[t[-1]] = int(t[3])
    return lines, calls


def run_syscalls(ctx):
    """System calls per round trip of the 50-connection, 64 B echo (2 s)
    under `strace -f -c`, for each netpoller backend and Go: all calls of the
    process (set-up included) over its round trips. strace slows both sides
    several times, so only the counts mean anything. Returns table lines."""
    args = ["echo", "50", "64", "2000"]
    sides = [(f"cbridge ({name})", [ctx.exe("net_bench"), *args], env)
             for env, name, _, _ in netpoll_backends(ctx)]
    sides.append(("Go net", [ctx.go("net"), *args], None))
    out = ["| echo, 50 connections, 64 B, under strace | round trips | system calls per round trip "
           "| the most frequent (per round trip) |", "|---|---|---|---|"]
    for label, argv, env in sides:
        lines, calls = strace_counts(ctx, argv, env)
        trips = lines["EchoRoundTrips"]
        top = sorted(calls.items(), key=lambda kv: -kv[1])[:5]
        out.append(f"| {label} | {trips:,.0f} | {sum(calls.values()) / trips:.2f} | "
                   + ", ".join(f"{k} {v / trips:.2f}" for k, v in top) + " |")
    return out


# --- under Wine ---------------------------------------------------------------

WINE_DOC = "the Windows builds under Wine, not Windows figures"


@dataclass
class WineCtx(Ctx):
    """Runs the Windows builds under Wine (issue 18): BUILD is the cross
    build of tests/win64 (build-win64/cross; scripts/test-windows makes
    it and the Wine prefix beside it, build-win64/wineprefix, which
    WINEPREFIX overrides); the Go peers are cross-compiled for
    windows/amd64, cgo with mingw-w64's gcc, linked statically as the
    .exe files are (else they need libwinpthread-1.dll)."""
    goenv = {"GOOS": "windows", "GOARCH": "amd64", "CC": "x86_64-w64-mingw32-gcc"}
    goflags = ["-ldflags=-extldflags=-static"]
    exe_suffix = ".exe"
    prefix: str = ""

    def exe(self, name):
        return os.path.join(self.build, name + ".exe")

    def run(self, argv, procs, env=None, cpus=None):
        # Wine's console writes CRLF.
        return super().run(["wine", *argv], procs, dict(env or {}, WINEPREFIX=self.prefix,
                                                        WINEDEBUG="-all"), cpus).replace("\r", "")

    def start(self):
        """Starts a persistent wineserver and Wine's services with a first
        program whose output nobody reads: every program's figure is
        measured inside it, so Wine's start is not in it anyway, but the
        services started by the first wine would hold that program's
        stdout open, and its run would never end."""
        if not os.path.exists(os.path.join(self.prefix, "system.reg")):
            sys.exit(f"compare: no Wine prefix in {self.prefix}: scripts/test-windows makes it")
        env = dict(os.environ, WINEPREFIX=self.prefix, WINEDEBUG="-all")
        if subprocess.run(["wineserver", "-p"], env=env).returncode != 0:
            sys.exit(f"compare: a wineserver runs in {self.prefix} already; stop it first "
                     f"(WINEPREFIX={self.prefix} wineserver -k)")
        subprocess.run(["wine", "cmd", "/c", "exit"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        subprocess.run(["wineserver", "-k"], env=dict(os.environ, WINEPREFIX=self.prefix))


# Go's callback from a C thread costs about 250 µs under Wine: 5,000 calls.
WINE_GO_CTHREAD_CALLS = "5000"


def run_wine(ctx):
    """The rows that port to Windows, under Wine, against the same peers
    built for Windows: the scheduler with 1 and 2 Ps against Go (and a
    task switch against a bare fcontext switch, runtime/fcontext_amd64_win64.S),
    foreign calls and callbacks against cgo (ops_bench, sched_bench's,
    call_bench's and callback_bench's bodies), the timer storm, and the
    loopback TCP echo (the completion port against Go's net on Windows).
    No targets: they are Linux's."""
    rows = []
    for procs in (1, 2):
        cbs, gos = ctx.alternate(lambda: ctx.lines([ctx.exe("ops_bench"), "sched"], procs),
                                 lambda: ctx.lines([ctx.go("sched")], procs))
        for what, name, scale in (("start+finish of a task (ns)", "TaskStartFinish", 1),
                                  ("unbuffered channel hand-off, one way (ns)", "ChanHandoff", 1),
                                  ("yield with nothing else to run (ns)", "Yield", 1),
                                  ("100,000 tasks spawn+join (ms)", "SpawnJoin100k", 1e-6)):
            rows.append(pair_row(what, procs, cbs, gos, name, "Go", name, None, scale))
        rows.append(pair_row("task switch (two tasks yielding to each other), one way (ns)", procs,
                             cbs, cbs, "TaskSwitch", "fcontext", "FcontextSwitch"))
    p = ctx.ncpus
    cbs, gos = ctx.alternate(lambda: ctx.lines([ctx.exe("ops_bench"), "calls"], p),
                             lambda: ctx.lines([ctx.go("cgo")], p))
    rows += [pair_row(f"call of an empty C function: {what} (ns)", p, cbs, gos, name, "Go cgo",
                      "CgoCall")
             for what, name in (("typed `cbridge::call`", "TypedCall"),
                                ("dynamic `ForeignFunction`", "DynamicCall"),
                                ("C API prepared `cbridge_fn_call`", "CFnCall"),
                                ("C API `cbridge_call` by string, cache hit", "CCallByString"),
                                ("direct C call", "DirectCall"))]
    cbs, gos = ctx.alternate(lambda: ctx.lines([ctx.exe("ops_bench"), "callbacks"], p),
                             lambda: ctx.lines([ctx.go("callbacks"), WINE_GO_CTHREAD_CALLS], p))
    rows += [pair_row("callback of an empty handler from a foreign thread, warm (ns)", p, cbs, gos,
                      "CallbackForeignThreadWarm", "Go, C thread → Go", "CThreadCallsGo"),
             pair_row("callback nested: task → C → callback → back (ns)", p, cbs, gos,
                      "CallbackNestedRoundTrip", "Go → C → Go", "GoCGoRoundTrip")]
    rows += run_timers(ctx)
    ctx.backends = [({}, "IOCP", "iocp", "off")]
    rows += run_echo(ctx)
    for r in rows:
        r.target = None
    ctx.notes.append(
        "Not measured under Wine: the pipe ping-pong (on Windows neither side's pipe is on the "
        "poller, and 200,000 round trips through Wine's pipes outlast a minute on both sides), "
        "parked tasks' memory (both sides read /proc), the global queue, preemption, the span "
        "set, the trace and the system call counts.")
    return rows


# --- main ---------------------------------------------------------------------

def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    return f"{nproc} CPUs ({model}), Linux {platform.release()}; load average at start {load}"


def go_version():
    return subprocess.run([GO, "version"], capture_output=True, text=True).stdout.strip()


def wine_version():
    return subprocess.run(["wine", "--version"], capture_output=True, text=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=5, help="alternated pairs per row (at least 5)")
    ap.add_argument("build")
    ap.add_argument("out")
    ap.add_argument("part", nargs="?", default="all", choices=["all"] + PARTS)
    ap.add_argument("cpus", nargs="?", default=None)
    a = ap.parse_args()
    if a.pairs < 5:
        ap.error("--pairs must be at least 5")
    cpus = a.cpus or f"0-{os.cpu_count() - 1}"
    ncpus = sum(int(hi) - int(lo) + 1 for lo, _, hi in
                (r.partition("-") if "-" in r else (r, "", r) for r in cpus.split(",")))
    started = datetime.datetime.now(datetime.timezone.utc)
    wine = a.part == "wine"
    header = [
        f"Run {started:%Y-%m-%d %H:%M} UTC on {machine()}"
        + (f"; {WINE_DOC}, {wine_version()}." if wine else "."),
        "Command: `" + " ".join(shlex.quote(x) for x in ["bench/compare.py", *sys.argv[1:]]) + "`.",
        f"Every process pinned with `taskset -c {cpus}`; CBRIDGE_MAXPROCS = GOMAXPROCS = the Ps "
        f"column, on both sides. {a.pairs} alternated pairs per row (cbridge, peer, cbridge, peer, "
        "…): each side's median, and the median of the per-pair ratios cbridge ÷ peer with their "
        "min–max (lower is better unless the row says higher).",
        (f"Peers: {go_version()} built for windows/amd64 (cgo with mingw-w64's gcc), a bare "
         "fcontext switch (runtime/fcontext_amd64_win64.S)." if wine else
         f"Peers: {go_version()}, a bare Boost.Context fcontext switch, JNI (openjdk-17) and "
         "Python's ctypes, a mutex-guarded std::vector and Boost.Lockfree's stack."),
    ]
    rows, extra = [], []
    with tempfile.TemporaryDirectory() as work:
        if wine:
            ctx = WineCtx(a.build, work, cpus, ncpus, a.pairs, prefix=os.environ.get(
                "WINEPREFIX", os.path.join(os.path.dirname(os.path.abspath(a.build)), "wineprefix")))
            ctx.start()
            print("compare: wine", file=sys.stderr)
            try:
                rows = run_wine(ctx)
            finally:
                ctx.stop()
        else:
            ctx = Ctx(a.build, work, cpus, ncpus, a.pairs)
        for part, fn in (("sched", run_sched), ("calls", run_calls), ("callbacks", run_callbacks),
                         ("callback-peers", run_callback_peers), ("timers", run_timers),
                         ("globq", run_globq), ("preempt", run_preempt), ("spanset", run_spanset),
                         ("net", run_net), ("trace", run_trace)):
            if a.part in ("all", part):
                print(f"compare: {part}", file=sys.stderr)
                rows += fn(ctx)
        if a.part in ("all", "syscalls"):
            print("compare: syscalls", file=sys.stderr)
            extra = run_syscalls(ctx)
        notes = ctx.notes
    took = datetime.datetime.now(datetime.timezone.utc) - started
    header.append(f"The run took {took.total_seconds() / 60:.1f} minutes.")
    lines = header + [""]
    if rows:
        lines += ["| measurement | Ps | cbridge | peer | ratio (spread) | target |",
                  "|---|---|---|---|---|---|"] + [fmt_row(r) for r in rows]
    if extra:
        lines += [""] + extra
    if notes:
        lines += [""] + notes
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(a.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
